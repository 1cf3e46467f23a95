"""What the acquirer says about a payment: callbacks, state answers and our own cancellations
and expiries all pass through `apply_report`, the one-way status machine.

Every report is recorded as a PaymentEvent, as received. Reports are deduplicated on
(provider, provider reference, provider status); a report that does not match its payment
(another acquirer, another order, another amount) is recorded as a mismatch and changes nothing.
Real changes are published to the broker after the transaction commits.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from tortoise.transactions import in_transaction

import models
from adapters.acquirers import (
    CallbackMalformed,
    CallbackRejected,
    StatusReport,
    to_kopecks,
)
from infra.runtime import Runtime
from services.ids import parse_uuid
from services.messages import outbox, templates
from services.payments import refunds
from services.payments.channels import channels_of

log = logging.getLogger(__name__)
S = models.PaymentStatus
FINAL = frozenset({S.SUCCEEDED, S.FAILED, S.CANCELED, S.EXPIRED, S.REFUNDED})
# The source of reports of ours (a cancel in the cabinet, an expiry), as opposed to the acquirer.
OWN_SOURCE = "lk"
FAILURE_REASONS = {
    S.FAILED: "Банк отклонил платёж.",
    S.CANCELED: "Платёж отменён.",
    S.EXPIRED: "Срок оплаты истёк.",
}

# A failed SBP payment involves no card: said in SBP's words when the acquirer gives no reason.
SBP_FAILURE_REASON = "Оплата по СБП отклонена банком."


class EventOutcome(str, Enum):
    APPLIED = "applied"  # the status changed
    DUPLICATE = "duplicate"  # this (reference, status) was seen before
    IGNORED = "ignored"  # recorded, but the status machine does not allow the move
    MISMATCH = "mismatch"  # the report does not match the payment: nothing changed
    UNKNOWN = "unknown"  # no such payment
    REJECTED = "rejected"  # signature or token wrong: not recorded at all
    MALFORMED = "malformed"  # unreadable: not recorded at all


def can_move(current: models.PaymentStatus, target: models.PaymentStatus) -> bool:
    """The one-way machine: CREATED → PENDING → a final status; only SUCCEEDED → REFUNDED after.

    A late PENDING after a final status, or any final status after another, changes nothing.
    """
    if current == target:
        return False
    if current == S.SUCCEEDED:
        return target == S.REFUNDED
    if current in FINAL:
        return False
    if current == S.PENDING:
        return target != S.CREATED
    return True  # CREATED → anything


@dataclass(frozen=True, slots=True)
class Change:
    payment_id: uuid.UUID
    account_id: int
    status: models.PaymentStatus


async def handle_callback(
    rt: Runtime, *, provider: str, headers: Mapping[str, str], body: bytes
) -> EventOutcome:
    """A callback as delivered to POST /payments/callback/<provider>."""
    acquirer = rt.acquirer
    if acquirer is None or provider != acquirer.name:
        return EventOutcome.UNKNOWN
    try:
        report = acquirer.read_callback(headers, body)
    except CallbackRejected as error:
        log.warning("payments: %s callback rejected: %s", provider, error)
        return EventOutcome.REJECTED
    except CallbackMalformed as error:
        log.warning("payments: %s callback malformed: %s", provider, error)
        return EventOutcome.MALFORMED
    return await apply_report(rt, provider=provider, report=report)


async def apply_report(
    rt: Runtime, *, provider: str, report: StatusReport, record_duplicate: bool = True
) -> EventOutcome:
    """Records the report and moves the payment if the machine allows; publishes after commit."""
    payment_id = parse_uuid(report.order_id)
    change: Change | None = None
    async with in_transaction():
        # The row lock serialises concurrent reports about one payment (two deliveries of one
        # callback, a callback racing reconciliation): the second one sees the first's event.
        payment = (
            await models.Payment.filter(id=payment_id).select_for_update().first()
            if payment_id
            else None
        )
        if payment is None:
            await _record(None, provider, report, EventOutcome.UNKNOWN, detail="unknown order")
            return EventOutcome.UNKNOWN
        problem = _mismatch(payment, provider, report) or refunds.mismatch(payment, report)
        if problem:
            await _record(payment, provider, report, EventOutcome.MISMATCH, detail=problem)
            return EventOutcome.MISMATCH
        key = f"{provider}:{report.provider_payment_id}:{report.provider_status}"
        key = (key + refunds.key_suffix(report))[:255]
        if await models.PaymentEvent.exists(dedupe_key=key):
            if record_duplicate:
                await _record(payment, provider, report, EventOutcome.DUPLICATE)
            return EventOutcome.DUPLICATE
        target = models.PaymentStatus(report.status) if report.status else None
        if refunds.applies(payment, report):
            # Money returned (services/payments/refunds.py). A refund proves the money was
            # taken: a success report still on its way is applied first.
            if payment.status not in refunds.PAID:
                await _move(rt, payment, S.SUCCEEDED, report)
            refunded = await refunds.apply_refund(rt, payment, report)
            change = Change(payment.id, payment.account_id, refunded) if refunded else None
            outcome = EventOutcome.APPLIED if refunded else EventOutcome.IGNORED
        elif target is None or not can_move(payment.status, target):
            outcome = EventOutcome.IGNORED
        else:
            await _move(rt, payment, target, report)
            change = Change(payment.id, payment.account_id, target)
            outcome = EventOutcome.APPLIED
        await _record(payment, provider, report, outcome, dedupe_key=key)
    if change:
        await publish(rt, change)
    return outcome


async def publish(rt: Runtime, change: Change) -> None:
    """Tells subscribers (in every process) that a payment changed. A broker outage must not
    break the request that changed it: subscribers re-read the state when they resync."""
    message = {"paymentId": str(change.payment_id), "status": change.status.value}
    for channel in channels_of(change.payment_id, change.account_id):
        try:
            await rt.broker.publish(channel, message)
        except Exception as error:  # any broker failure: the change itself is committed
            log.warning("payments: publish on %s failed: %r", channel, error)


def own_report(
    payment: models.Payment,
    provider_status: str,
    status: models.PaymentStatus,
    *,
    reason: str | None = None,
) -> StatusReport:
    """A report of ours (the customer's cancel, an expiry), recorded like the acquirer's."""
    return StatusReport(
        order_id=str(payment.id),
        provider_payment_id=payment.provider_payment_id or str(payment.id),
        provider_status=provider_status,
        status=status.value,
        amount_kopecks=to_kopecks(payment.amount),
        payload={"source": OWN_SOURCE, "status": provider_status},
        reason=reason,
    )


def _mismatch(payment: models.Payment, provider: str, report: StatusReport) -> str | None:
    if payment.provider != provider:
        return f"payment belongs to {payment.provider}"
    if payment.provider_payment_id and report.provider_payment_id != payment.provider_payment_id:
        return f"provider reference {report.provider_payment_id} != {payment.provider_payment_id}"
    expected = to_kopecks(payment.amount)
    if report.amount_kopecks is None:
        if report.status == S.SUCCEEDED.value:
            return "no amount in a success report"
    elif report.amount_kopecks != expected:
        return f"amount {report.amount_kopecks} != {expected}"
    return None


async def _move(
    rt: Runtime, payment: models.Payment, target: models.PaymentStatus, report: StatusReport
) -> None:
    now = datetime.now(UTC)
    payment.status = target
    fields = ["status", "updated_at"]
    if payment.provider_payment_id is None and report.payload.get("source") != OWN_SOURCE:
        # A callback that overtook the answer to our registration request.
        payment.provider_payment_id = report.provider_payment_id
        fields.append("provider_payment_id")
    if target in FAILURE_REASONS:
        default = FAILURE_REASONS[target]
        if target == S.FAILED and payment.method == models.PaymentMethod.SBP:
            default = SBP_FAILURE_REASON
        payment.failure_reason = (report.reason or default)[:500]
        fields.append("failure_reason")
    if target == S.SUCCEEDED:
        payment.paid_at = now
        fields.append("paid_at")
    await payment.save(update_fields=fields)
    if target == S.SUCCEEDED:
        await _credit_statement(payment)
        await _enqueue_receipt(rt, payment)


async def _credit_statement(payment: models.Payment) -> None:
    """Shows the payment on the latest statement at once: each line's paid grows and to_pay
    shrinks by what was paid for its service. Billing's next import replaces the statement with
    its own figures. Locked after the payment row (the same order everywhere), so two payments of
    one account credit it one after the other."""
    statement = (
        await models.Statement.filter(account_id=payment.account_id)
        .order_by("-period")
        .select_for_update()
        .first()
    )
    if statement is None:
        return
    lines = await models.PaymentLine.filter(payment_id=payment.id)
    amounts = {line.service_id: line.amount for line in lines}
    rows = await models.StatementLine.filter(
        statement_id=statement.id, service_id__in=list(amounts)
    ).select_for_update()
    for row in rows:
        amount = amounts[row.service_id]
        await models.StatementLine.filter(id=row.id).update(
            paid=row.paid + amount, to_pay=row.to_pay - amount
        )
    await models.Statement.filter(id=statement.id).update(
        total_to_pay=statement.total_to_pay - payment.amount
    )


async def _enqueue_receipt(rt: Runtime, payment: models.Payment) -> None:
    if not payment.receipt_email:
        return
    account = await models.Account.get(id=payment.account_id)
    lines = await models.PaymentLine.filter(payment_id=payment.id).select_related("service")
    when = templates.local_time(rt, payment.paid_at or datetime.now(UTC))
    body = "\n".join(
        [
            f"Платёж по лицевому счёту {account.number} принят.",
            f"Дата: {when}",
            *(f"{line.service.name}: {_rubles(line.amount)}" for line in lines),
            f"Итого: {_rubles(payment.amount)}",
            f"Номер платежа: {payment.id}",
            "",
            "Кассовый чек придёт от банка-эквайера отдельным письмом.",
        ]
    )
    await outbox.enqueue_email(
        rt=rt,
        to=payment.receipt_email,
        subject=f"Оплата по лицевому счёту {account.number}",
        body=body,
    )


def _rubles(amount: Decimal) -> str:
    return f"{amount:.2f} ₽"


async def _record(
    payment: models.Payment | None,
    provider: str,
    report: StatusReport,
    outcome: EventOutcome,
    *,
    dedupe_key: str | None = None,
    detail: str | None = None,
) -> None:
    await models.PaymentEvent.create(
        payment=payment,
        provider=provider,
        provider_ref=report.provider_payment_id[:128],
        provider_status=report.provider_status[:32],
        dedupe_key=dedupe_key,
        outcome=outcome.value,
        detail=detail[:500] if detail else None,
        payload=_jsonable(report.payload),
    )


def _jsonable(payload: Any) -> Any:
    return payload if isinstance(payload, dict) else {"value": str(payload)}
