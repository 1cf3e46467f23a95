"""Checking what a document request names before a link is signed: the account is the user's,
the arguments its kind needs are there and sane, the statement or payment exists."""

from __future__ import annotations

from datetime import date

from services import accounts, periods
from services.documents import data
from services.documents.links import DocumentKind, DocumentRequest
from services.errors import DomainError, ErrorCode, FieldError, reversed_range

HISTORIES = {
    DocumentKind.PAYMENT_HISTORY,
    DocumentKind.CHARGE_HISTORY,
    DocumentKind.READING_HISTORY,
}
# Charge history follows the guide («не более 6 месяцев»); the others are kept printable.
MAX_CHARGE_MONTHS = accounts.MAX_STATEMENT_PERIODS
MAX_HISTORY_DAYS = 3 * 366


async def check_request(
    *,
    user_id: int,
    account_number: str,
    kind: DocumentKind,
    from_: date | None,
    to: date | None,
    period: date | None,
    payment_id: str | None,
) -> DocumentRequest:
    """The request to sign, with dates normalised and the bill's period resolved; arguments a
    kind does not use are left out of it."""
    account = await accounts.require_account(user_id, account_number)
    if kind in HISTORIES:
        first, last = _range(kind, from_, to)
        return DocumentRequest(
            user_id=user_id, account_id=account.id, kind=kind, from_=first, to=last
        )
    if kind == DocumentKind.PAYMENT_DOCUMENT:
        statement = await data.statement_of(account, period)
        if statement is None:
            message = (
                "Квитанции за этот период нет." if period else "Квитанций по этому счёту пока нет."
            )
            raise DomainError.of(ErrorCode.NOT_FOUND, message, "period")
        return DocumentRequest(
            user_id=user_id, account_id=account.id, kind=kind, period=statement.period
        )
    if kind == DocumentKind.PAYMENT_RECEIPT:
        if not payment_id or not payment_id.strip():
            raise DomainError.of(ErrorCode.REQUIRED, "Укажите платёж.", "paymentId")
        payment = await data.succeeded_payment(account, payment_id.strip())
        if payment is None:
            raise DomainError.of(
                ErrorCode.NOT_FOUND, "Проведённый платёж по этому счёту не найден.", "paymentId"
            )
        return DocumentRequest(
            user_id=user_id, account_id=account.id, kind=kind, payment_id=str(payment.id)
        )
    raise ValueError(f"unknown document kind {kind}")


def _range(kind: DocumentKind, from_: date | None, to: date | None) -> tuple[date, date]:
    missing = [
        FieldError(ErrorCode.REQUIRED, message, field)
        for value, message, field in (
            (from_, "Укажите начало периода.", "from"),
            (to, "Укажите конец периода.", "to"),
        )
        if value is None
    ]
    if missing:
        raise DomainError(*missing)
    assert from_ is not None and to is not None
    if kind == DocumentKind.CHARGE_HISTORY:
        from_, to = periods.period_of(from_), periods.period_of(to)
    if from_ > to:
        raise reversed_range()
    if kind == DocumentKind.CHARGE_HISTORY:
        if periods.months_between(from_, to) > MAX_CHARGE_MONTHS:
            raise DomainError.of(
                ErrorCode.INVALID_INPUT,
                f"Историю начислений можно получить не более чем за {MAX_CHARGE_MONTHS} месяцев.",
                "to",
            )
    elif (to - from_).days + 1 > MAX_HISTORY_DAYS:
        raise DomainError.of(
            ErrorCode.INVALID_INPUT, "Период не может быть длиннее трёх лет.", "to"
        )
    return from_, to
