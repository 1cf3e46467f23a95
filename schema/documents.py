"""Reports and documents as short-lived links to PDFs; the bill by e-mail."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, TypeVar

import strawberry

from resolvers import documents as resolve
from resolvers.common import Outcome
from schema.arguments import (
    OWN_ACCOUNT,
    ConsumptionFrom,
    ConsumptionTo,
    OwnAccountNumber,
    described,
    described_from,
)
from schema.common import OkPayload, Payload, forward, user_errors
from schema.context import Info
from schema.enums import ChartFormat, DocumentKind
from services.documents import DocumentLink


@strawberry.type(description="A short-lived signed link to a PDF document.")
class DocumentLinkPayload(Payload):
    url: str | None = strawberry.field(
        description="GET it to download the PDF; expires in 10 minutes."
    )
    expires_at: datetime | None = strawberry.field(description="When the link stops working.")


@strawberry.type(description="A short-lived signed link to a consumption chart picture.")
class ChartLinkPayload(Payload):
    url: str | None = strawberry.field(
        description="GET it to download the picture (image/svg+xml or image/png); no sign-in "
        "needed; expires in 10 minutes."
    )
    expires_at: datetime | None = strawberry.field(description="When the link stops working.")


def _link_payload(cls: type[L], outcome: Outcome[DocumentLink]) -> L:
    """Either payload of a link: the link and its expiry, or the errors."""
    link = outcome.value
    return cls(
        url=link.url if link else None,
        expires_at=link.expires_at if link else None,
        errors=user_errors(outcome),
    )


L = TypeVar("L", DocumentLinkPayload, ChartLinkPayload)

BillPeriod = Annotated[
    date | None,
    described(
        "The bill (PAYMENT_DOCUMENT): a month of it, any day; the latest bill when omitted. "
        f"{OWN_ACCOUNT}"
    ),
]


@strawberry.type
class DocumentsQuery:
    @strawberry.field(
        description="A short-lived link to a PDF document of one of the signed-in user's accounts."
    )
    async def document_url(
        self,
        info: Info,
        account_number: Annotated[
            str,
            described(
                "The account number printed on the bill (лицевой счёт). Requires sign-in; the "
                "account must be one of the user's (NOT_FOUND in errors otherwise)."
            ),
        ],
        kind: Annotated[
            DocumentKind,
            described(f"Which document; it decides which other arguments count. {OWN_ACCOUNT}"),
        ],
        from_: Annotated[
            date | None,
            described_from(
                "The histories: the first day of the range (CHARGE_HISTORY: its month); required "
                f"for them. {OWN_ACCOUNT}"
            ),
        ] = None,
        to: Annotated[
            date | None,
            described(
                "The histories: the last day of the range, included (CHARGE_HISTORY: its month); "
                f"required for them. {OWN_ACCOUNT}"
            ),
        ] = None,
        period: BillPeriod = None,
        payment_id: Annotated[
            strawberry.ID | None,
            described(
                "PAYMENT_RECEIPT: Payment.id of a SUCCEEDED payment of the account; required for "
                f"it. {OWN_ACCOUNT}"
            ),
        ] = None,
    ) -> DocumentLinkPayload:
        link = await resolve.document_url(
            info.context,
            account_number=account_number,
            kind=kind,
            from_=from_,
            to=to,
            period=period,
            payment_id=str(payment_id) if payment_id is not None else None,
        )
        return _link_payload(DocumentLinkPayload, link)

    @strawberry.field(
        description="A short-lived link to Account.consumption drawn as a bar chart (stacked "
        "bars per month and tariff zone, one panel per metered service; months without "
        "readings say so), as SVG or PNG: for apps that would rather show a picture than draw "
        "one. The months as Account.consumption reads from and to: the last 12 when both are "
        "omitted, at most 36."
    )
    async def consumption_chart_url(
        self,
        info: Info,
        account_number: OwnAccountNumber,
        from_: ConsumptionFrom = None,
        to: ConsumptionTo = None,
        format_: Annotated[
            ChartFormat,
            strawberry.argument(name="format", description=f"SVG or PNG. {OWN_ACCOUNT}"),
        ] = ChartFormat.SVG,
    ) -> ChartLinkPayload:
        link = await resolve.consumption_chart_url(
            info.context, account_number=account_number, from_=from_, to=to, format_=format_
        )
        return _link_payload(ChartLinkPayload, link)


@strawberry.type
class DocumentsMutation:
    @strawberry.mutation(
        description="E-mails the payment document (квитанция) of a period as PDF; to the user's "
        "confirmed address when email is omitted."
    )
    @forward(resolve.send_payment_document, OkPayload.build)
    async def send_payment_document(
        self,
        info: Info,
        account_number: OwnAccountNumber,
        period: BillPeriod = None,
        email: Annotated[
            str | None,
            described(f"Where to send it; the user's confirmed e-mail when omitted. {OWN_ACCOUNT}"),
        ] = None,
    ) -> OkPayload:
        raise NotImplementedError
