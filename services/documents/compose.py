"""Each kind of document: read its data, render it in a worker thread (fpdf2 is pure Python and
would hold up the event loop), name the file."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TypeVar

import models
from infra.runtime import Runtime
from services import periods, reference
from services.charts import model as chart_model
from services.documents import data, render
from services.documents.links import DocumentKind, DocumentRequest
from services.readings.consumption import MAX_CONSUMPTION_MONTHS, consumption

PDF = "application/pdf"
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Document:
    filename: str
    data: bytes
    content_type: str = PDF


async def document(rt: Runtime, request: DocumentRequest) -> Document | None:
    """The PDF a checked request names; None when what it names is gone."""
    account = await models.Account.get_or_none(id=request.account_id)
    if account is None:
        return None
    return await _KINDS[request.kind](rt, account, request)


async def bill(rt: Runtime, account: models.Account, statement: models.Statement) -> Document:
    content = await data.bill(account, statement)
    pdf = await asyncio.to_thread(render.payment_document, content, generated=_generated(rt))
    return Document(f"bill-{account.number}-{statement.period:%Y-%m}.pdf", pdf)


async def _payment_document(
    rt: Runtime, account: models.Account, request: DocumentRequest
) -> Document | None:
    assert request.period is not None
    statement = await data.statement_of(account, request.period)
    return await bill(rt, account, statement) if statement else None


async def _payment_receipt(
    rt: Runtime, account: models.Account, request: DocumentRequest
) -> Document | None:
    assert request.payment_id is not None
    payment = await data.succeeded_payment(account, request.payment_id)
    if payment is None:
        return None
    lines = await data.receipt_lines(payment)
    pdf = await asyncio.to_thread(
        render.payment_receipt,
        account,
        payment,
        lines,
        timezone=rt.settings.timezone,
        generated=_generated(rt),
    )
    return Document(f"receipt-{account.number}-{payment.id}.pdf", pdf)


async def _charge_history(
    rt: Runtime, account: models.Account, request: DocumentRequest
) -> Document:
    header = await _header(rt, account, request)
    statements = await data.charge_history(account, header.first, header.last)
    chart = await _chart(rt, account, header.first, header.last)
    pdf = await asyncio.to_thread(render.charge_history, header, statements, chart)
    return Document(f"charges-{account.number}-{header.first:%Y%m}-{header.last:%Y%m}.pdf", pdf)


async def _payment_history(
    rt: Runtime, account: models.Account, request: DocumentRequest
) -> Document:
    return await _dated_history(
        rt, account, request, "payments", data.succeeded_payments, render.payment_history
    )


async def _reading_history(
    rt: Runtime, account: models.Account, request: DocumentRequest
) -> Document:
    first, last = _range(request)
    chart = await _chart(rt, account, first, last)
    return await _dated_history(
        rt,
        account,
        request,
        "readings",
        data.reading_history,
        lambda header, rows: render.reading_history(header, rows, chart),
    )


async def _chart(
    rt: Runtime, account: models.Account, first: date, last: date
) -> chart_model.Chart:
    """The consumption chart of the months from first to last (the last 36 of them: a readings
    history may span 37 months), drawn in the PDF like the SVG and PNG charts."""
    last_month = periods.period_of(last)
    first_month = max(
        periods.period_of(first), periods.add_months(last_month, 1 - MAX_CONSUMPTION_MONTHS)
    )
    months = await consumption(rt.settings, account=account, from_=first_month, to=last_month)
    return chart_model.build(months, titled=False)


async def _dated_history(
    rt: Runtime,
    account: models.Account,
    request: DocumentRequest,
    name: str,
    fetch: Callable[[models.Account, date, date, str], Awaitable[list[R]]],
    draw: Callable[[render.HistoryHeader, list[R]], bytes],
) -> Document:
    """A history of events from one day to another, as the retailer's local dates count them."""
    header = await _header(rt, account, request)
    first, last = header.first, header.last
    rows = await fetch(account, first, last, header.timezone)
    pdf = await asyncio.to_thread(draw, header, rows)
    return Document(f"{name}-{account.number}-{first:%Y%m%d}-{last:%Y%m%d}.pdf", pdf)


async def _header(
    rt: Runtime, account: models.Account, request: DocumentRequest
) -> render.HistoryHeader:
    first, last = _range(request)
    return render.HistoryHeader(
        account=account,
        recipients=await data.recipients_of(account),
        first=first,
        last=last,
        timezone=rt.settings.timezone,
        generated=_generated(rt),
    )


_KINDS: dict[
    DocumentKind,
    Callable[[Runtime, models.Account, DocumentRequest], Awaitable[Document | None]],
] = {
    DocumentKind.PAYMENT_DOCUMENT: _payment_document,
    DocumentKind.PAYMENT_RECEIPT: _payment_receipt,
    DocumentKind.CHARGE_HISTORY: _charge_history,
    DocumentKind.PAYMENT_HISTORY: _payment_history,
    DocumentKind.READING_HISTORY: _reading_history,
}


def _range(request: DocumentRequest) -> tuple[date, date]:
    assert request.from_ is not None and request.to is not None
    return request.from_, request.to


def _generated(rt: Runtime) -> str:
    """The footer of every page: when the document was made (local time) and support's phone
    and e-mail (LK_SUPPORT_*)."""
    note = render.generated_note(datetime.now(UTC), rt.settings.timezone)
    return f"{note} · {reference.support_line(rt.settings)}"
