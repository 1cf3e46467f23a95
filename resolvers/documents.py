"""Document links and the bill by e-mail."""

from __future__ import annotations

from datetime import date

import models
from resolvers.accounts import (
    AccountByIdLoader,
    AccountServicesByAccountLoader,
    ProviderByIdLoader,
)
from resolvers.common import mutation, payload_query
from resolvers.context import Context
from services import documents
from services.charts import links as charts
from services.charts.links import ChartFormat
from services.documents import DocumentKind, DocumentLink


@payload_query
async def document_url(
    ctx: Context,
    *,
    account_number: str,
    kind: DocumentKind,
    from_: date | None,
    to: date | None,
    period: date | None,
    payment_id: str | None,
) -> DocumentLink:
    user = await ctx.require_user()
    return await documents.issue_link(
        ctx.rt,
        user_id=user.id,
        account_number=account_number,
        kind=kind,
        from_=from_,
        to=to,
        period=period,
        payment_id=payment_id,
    )


@payload_query
async def consumption_chart_url(
    ctx: Context,
    *,
    account_number: str,
    from_: date | None,
    to: date | None,
    format_: ChartFormat,
) -> DocumentLink:
    user = await ctx.require_user()
    return await charts.issue_link(
        ctx.rt, user_id=user.id, account_number=account_number, from_=from_, to=to, picture=format_
    )


@mutation
async def send_payment_document(
    ctx: Context, *, account_number: str, period: date | None, email: str | None
) -> bool:
    user = await ctx.require_user()
    await documents.send_payment_document(
        ctx.rt, user=user, account_number=account_number, period=period, email=email
    )
    return True


async def statement_qr_payload(ctx: Context, *, statement: models.Statement) -> str | None:
    account = await ctx.loader(AccountByIdLoader).load(statement.account_id)
    services = await ctx.loader(AccountServicesByAccountLoader).load(statement.account_id)
    recipient_ids = list(dict.fromkeys(s.recipient_id for s in services))
    recipients = await ctx.loader(ProviderByIdLoader).load_many(recipient_ids)
    assert account is not None
    return documents.statement_qr_payload(
        account=account, statement=statement, recipients=[r for r in recipients if r]
    )
