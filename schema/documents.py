"""Reports and documents as short-lived links to PDFs; the bill by e-mail."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry

from resolvers import documents as resolve
from schema.common import OkPayload, UserError
from schema.context import Info
from schema.enums import DocumentKind
from services.documents import DocumentLink


@strawberry.type(description="A short-lived signed link to a PDF document.")
class DocumentLinkPayload:
    url: str | None = strawberry.field(
        description="GET it to download the PDF; expires in 10 minutes."
    )
    expires_at: datetime | None = strawberry.field(description="When the link stops working.")
    errors: list[UserError] = strawberry.field(
        description="Always empty: documentUrl answers as every query does (null url for an "
        "account that is not the user's, a GraphQL error for an argument it cannot take)."
    )

    @classmethod
    def build(cls, link: DocumentLink | None) -> DocumentLinkPayload:
        return cls(
            url=link.url if link else None,
            expires_at=link.expires_at if link else None,
            errors=[],
        )


@strawberry.type
class DocumentsQuery:
    @strawberry.field(
        description="A short-lived link to a PDF document of one of the signed-in user's accounts."
    )
    async def document_url(
        self,
        info: Info,
        account_number: str,
        kind: DocumentKind,
        from_: Annotated[date | None, strawberry.argument(name="from")] = None,
        to: date | None = None,
        period: date | None = None,
        payment_id: strawberry.ID | None = None,
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
        return DocumentLinkPayload.build(link)


@strawberry.type
class DocumentsMutation:
    @strawberry.mutation(
        description="E-mails the payment document (квитанция) of a period as PDF; to the user's "
        "confirmed address when email is omitted."
    )
    async def send_payment_document(
        self, info: Info, account_number: str, period: date | None = None, email: str | None = None
    ) -> OkPayload:
        outcome = await resolve.send_payment_document(
            info.context, account_number=account_number, period=period, email=email
        )
        return OkPayload.build(outcome)
