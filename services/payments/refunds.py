"""Refunds: what the acquirer returned of a paid payment, applied once.

The status machine (events.apply_report) hands a refund report here, under the payment's row
lock and in its transaction. Acquirers report the refunded TOTAL (or what is left of the
order), never a bare increment: a report adds only what exceeds the payment's refunded amount,
so duplicated, re-delivered and reordered reports (a partial refund arriving after the full
one) reverse the money exactly once. A report claiming more than was paid is a mismatch.

A refund reverses the statement credit of the payment on the account's latest statement (where
`_credit_statement` put it, or the newer statement billing imported since, which already holds
the payment: billing's next import brings the refund in its own figures), line by line in the
split of the payment's lines. A partial refund is split proportionally to the lines, in
kopecks, rounded down, the remainder on the largest line (the first of equal ones); computed
from the refunded totals before and after, so the refunds of one payment add up to its lines
exactly. The whole amount returned: status REFUNDED; a part: SUCCEEDED with `refunded_amount`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import models
from adapters.acquirers import StatusReport, to_kopecks
from infra.runtime import Runtime
from services.messages import outbox, templates
from services.payments import statement

S = models.PaymentStatus
PAID = (S.SUCCEEDED, S.REFUNDED)
CENT = Decimal("0.01")


def applies(payment: models.Payment, report: StatusReport) -> bool:
    """Whether the report is a refund of this payment: it returns money of a paid payment, or
    (a refund, not a reversal) of one whose success report has not arrived yet."""
    refund = report.refund
    if refund is None:
        return False
    if payment.status in PAID:
        return True
    return refund.captured and payment.status in (S.CREATED, S.PENDING)


def refunded_total(payment: models.Payment, report: StatusReport) -> int | None:
    """The refunded total the report states, kopecks (None: not a refund report)."""
    refund = report.refund
    if refund is None:
        return None
    if refund.total_kopecks is not None:
        return refund.total_kopecks
    return to_kopecks(payment.amount) - (refund.remaining_kopecks or 0)


def mismatch(payment: models.Payment, report: StatusReport) -> str | None:
    """A refund of nothing, or of more than was paid."""
    total = refunded_total(payment, report)
    if total is None:
        return None
    paid = to_kopecks(payment.amount)
    if not 0 < total <= paid:
        return f"refunded total {total} outside 1..{paid}"
    return None


def key_suffix(report: StatusReport) -> str:
    """The refund's identity in the event's dedupe key: two partial refunds share a status but
    not a total (a total given as what is left is told apart by that)."""
    refund = report.refund
    if refund is None:
        return ""
    if refund.total_kopecks is not None:
        return f":{refund.total_kopecks}"
    return f":left{refund.remaining_kopecks or 0}"


async def apply_refund(
    rt: Runtime, payment: models.Payment, report: StatusReport
) -> models.PaymentStatus | None:
    """Adds what the report refunds beyond the payment's refunded amount (the caller holds the
    payment's row lock); returns the payment's status after, or None when nothing was added."""
    total = refunded_total(payment, report)
    before = to_kopecks(payment.refunded_amount)
    if total is None or total <= before:
        return None
    now = datetime.now(UTC)
    added = total - before
    await models.PaymentRefund.create(
        payment_id=payment.id,
        provider_status=report.provider_status[:32],
        amount=rubles(added),
        total=rubles(total),
    )
    payment.refunded_amount = rubles(total)
    payment.refunded_at = now
    fields = ["refunded_amount", "refunded_at", "updated_at"]
    if total == to_kopecks(payment.amount):
        payment.status = S.REFUNDED
        fields.append("status")
    await payment.save(update_fields=fields)
    await _reverse_statement(payment, before, total)
    await _enqueue_refund_email(rt, payment, rubles(added), now)
    return payment.status


def rubles(kopecks: int) -> Decimal:
    return (Decimal(kopecks) / 100).quantize(CENT)


def split(amounts: list[int], total: int) -> list[int]:
    """`total` kopecks of a payment whose lines are `amounts` (kopecks), per line:
    proportionally, rounded down, the remainder on the largest line (the first of equal ones).
    split(amounts, sum(amounts)) == amounts."""
    paid = sum(amounts)
    if paid <= 0 or not amounts:
        return [0] * len(amounts)
    largest = max(range(len(amounts)), key=lambda i: (amounts[i], -i))
    shares = [a * total // paid for a in amounts]
    shares[largest] = total - (sum(shares) - shares[largest])
    return shares


async def _reverse_statement(payment: models.Payment, before: int, after: int) -> None:
    """The opposite of events._credit_statement for the kopecks refunded between the totals
    `before` and `after`; the same lock order (payment, then statement)."""
    latest = await statement.latest_locked(payment.account_id)
    if latest is None:
        return
    lines = await models.PaymentLine.filter(payment_id=payment.id).order_by("id")
    amounts = [to_kopecks(line.amount) for line in lines]
    old, new = split(amounts, before), split(amounts, after)
    back = {line.service_id: rubles(o - n) for line, o, n in zip(lines, old, new, strict=True)}
    await statement.shift_paid(latest, back, rubles(before - after))


async def _enqueue_refund_email(
    rt: Runtime, payment: models.Payment, added: Decimal, when: datetime
) -> None:
    """The refund, to the receipt address of the payment, else the user's confirmed e-mail."""
    to = payment.receipt_email
    if not to and payment.user_id is not None:
        user = await models.User.get_or_none(id=payment.user_id)
        if user is not None and user.email and user.email_confirmed:
            to = user.email
    if not to:
        return
    account = await models.Account.get(id=payment.account_id)
    whole = payment.refunded_amount >= payment.amount
    body = "\n".join(
        [
            f"Банк вернул деньги по платежу по лицевому счёту {account.number}.",
            f"Дата: {templates.local_time(rt, when)}",
            f"Возвращено: {added:.2f} ₽",
            f"Сумма платежа: {payment.amount:.2f} ₽"
            + ("" if whole else f", возвращено всего: {payment.refunded_amount:.2f} ₽"),
            f"Номер платежа: {payment.id}",
            "",
            "Деньги поступят на карту или счёт, с которых был оплачен платёж, в срок, который "
            "устанавливает ваш банк (обычно до 30 дней). Сумма к оплате по лицевому счёту "
            "увеличена на возвращённую сумму.",
        ]
    )
    await outbox.enqueue_email(
        rt=rt,
        to=to,
        subject=f"Возврат платежа по лицевому счёту {account.number}",
        body=body,
    )
