"""What the acquirer says about a payment: callbacks, state answers and our own cancellations
and expiries all pass through `apply_report`, the one-way status machine.

Every report is recorded as a PaymentEvent, as received. Reports are deduplicated on
(provider, provider reference, provider status); a report that does not match its payment
(another acquirer, another order, another amount) is recorded as a mismatch and changes nothing.
Real changes are published to the broker after the transaction commits.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import orjson
from tortoise.transactions import in_transaction

import models
from adapters.acquirers import (
    CallbackMalformed,
    CallbackRejected,
    StatusReport,
    to_kopecks,
)
from infra import database
from infra.runtime import Runtime
from services.ids import parse_uuid
from services.messages import outbox, templates
from services.payments import refunds, statement
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
    """Records the report and moves the payment if the machine allows; publishes after commit.

    On PostgreSQL a report that changes the status costs two statements in one transaction:
    the row lock, which also reads what a receipt needs (the account's number, the lines'
    services), and one write (`_move_at_once`: the event recorded and deduplicated, the status,
    the statement credit and the receipt). The publish (one broker round trip for the three
    channels) leaves right after the COMMIT, before the HTTP answer: four round trips to the
    database in all before the push. SQLite takes the same steps a statement each."""
    payment_id = parse_uuid(report.order_id)
    change: Change | None = None
    async with in_transaction():
        # The row lock serialises concurrent reports about one payment (two deliveries of one
        # callback, a callback racing reconciliation): the second one sees the first's event.
        payment, receipt = await _lock(payment_id) if payment_id else (None, None)
        if payment is None:
            await _record(None, provider, report, EventOutcome.UNKNOWN, detail="unknown order")
            return EventOutcome.UNKNOWN
        problem = _mismatch(payment, provider, report) or refunds.mismatch(payment, report)
        if problem:
            await _record(payment, provider, report, EventOutcome.MISMATCH, detail=problem)
            return EventOutcome.MISMATCH
        key = f"{provider}:{report.provider_payment_id}:{report.provider_status}"
        key = (key + refunds.key_suffix(report))[:255]
        if refunds.applies(payment, report):
            # Money returned (services/payments/refunds.py): its outcome is known only once
            # applied, so the duplicate check comes first (under the row lock) and the record
            # after. A refund proves the money was taken: a success still on its way is applied
            # first.
            if await models.PaymentEvent.exists(dedupe_key=key):
                if record_duplicate:
                    await _record(payment, provider, report, EventOutcome.DUPLICATE)
                return EventOutcome.DUPLICATE
            if payment.status not in refunds.PAID:
                await _move(rt, payment, S.SUCCEEDED, report, receipt)
            refunded = await refunds.apply_refund(rt, payment, report)
            change = Change(payment.id, payment.account_id, refunded) if refunded else None
            outcome = EventOutcome.APPLIED if refunded else EventOutcome.IGNORED
            await _record(payment, provider, report, outcome, dedupe_key=key)
        else:
            target = models.PaymentStatus(report.status) if report.status else None
            moves = target is not None and can_move(payment.status, target)
            outcome = EventOutcome.APPLIED if moves else EventOutcome.IGNORED
            if moves and receipt is not None:
                # PostgreSQL: the event, the status, the statement credit and the receipt in
                # one statement, nothing of it when the event's insert finds a duplicate.
                assert target is not None
                recorded = await _move_at_once(rt, payment, target, report, receipt, key)
            else:
                # Recorded with its dedupe key first: the insert is the duplicate check (one
                # statement).
                recorded = await _record_once(payment, provider, report, outcome, dedupe_key=key)
                if recorded and moves:
                    assert target is not None
                    await _move(rt, payment, target, report)
            if not recorded:
                if record_duplicate:
                    await _record(payment, provider, report, EventOutcome.DUPLICATE)
                return EventOutcome.DUPLICATE
            if moves:
                assert target is not None
                change = Change(payment.id, payment.account_id, target)
    if change:
        await publish(rt, change)
    return outcome


async def publish(rt: Runtime, change: Change) -> None:
    """Tells subscribers (in every process) that a payment changed: the three channels in one
    broker round trip. A broker outage must not break the request that changed it: subscribers
    re-read the state when they resync."""
    message = {"paymentId": str(change.payment_id), "status": change.status.value}
    channels = channels_of(change.payment_id, change.account_id)
    try:
        await rt.broker.publish_many(channels, message)
    except Exception as error:  # any broker failure: the change itself is committed
        log.warning("payments: publish on %s failed: %r", ", ".join(channels), error)


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
    rt: Runtime,
    payment: models.Payment,
    target: models.PaymentStatus,
    report: StatusReport,
    receipt: Receipt | None = None,
) -> None:
    """The status change a statement at a time (SQLite, and refunds' success first)."""
    fields = _moved(payment, target, report)
    await payment.save(update_fields=fields)
    if target == S.SUCCEEDED:
        await _credit_statement(payment)
        if payment.receipt_email:
            receipt = receipt or await _read_receipt(payment)
            await _receipt_message(rt, payment, receipt).save(force_create=True)


def _moved(
    payment: models.Payment, target: models.PaymentStatus, report: StatusReport
) -> list[str]:
    """Moves the payment (in memory) and answers the fields that changed."""
    now = datetime.now(UTC)
    payment.status = target
    payment.updated_at = now
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
    return fields


@dataclass(frozen=True, slots=True)
class Receipt:
    """What the receipt e-mail says besides the payment: the account's number and the lines'
    services with their amounts."""

    number: str
    lines: list[tuple[str, Decimal]]


# The row lock, and what a receipt needs (read with it: a paying callback would read it next).
_LOCK_SQL = """
SELECT p.*, a.number AS receipt_number,
    (SELECT json_agg(json_build_array(s.name, pl.amount::text) ORDER BY pl.id)
     FROM payment_line pl JOIN service s ON s.id = pl.service_id
     WHERE pl.payment_id = p.id) AS receipt_lines
FROM payment p JOIN account a ON a.id = p.account_id
WHERE p.id = $1
FOR UPDATE OF p
"""


async def _lock(payment_id: uuid.UUID) -> tuple[models.Payment | None, Receipt | None]:
    """The payment, locked until the transaction ends; on PostgreSQL with its receipt's data in
    the same statement (SQLite reads that when it needs it)."""
    if not _postgres():
        return await models.Payment.filter(id=payment_id).select_for_update().first(), None
    rows = await database.fetch(
        models.Payment,
        _LOCK_SQL,
        models.Payment._meta.pk.to_db_value(payment_id, models.Payment),
    )
    if not rows:
        return None, None
    row = dict(rows[0])
    number = row.pop("receipt_number")
    lines = row.pop("receipt_lines")
    lines = orjson.loads(lines) if isinstance(lines, str | bytes) else lines or []
    receipt = Receipt(number, [(service, Decimal(amount)) for service, amount in lines])
    return models.Payment._init_from_db(**row), receipt


def _postgres() -> bool:
    return bool(models.Payment._meta.db.capabilities.dialect == "postgres")


# The columns `_move_at_once` writes, in its parameters' order.
_EVENT_COLUMNS = (
    "payment_id", "provider", "provider_ref", "provider_status", "dedupe_key", "outcome",
    "detail", "payload", "received_at",
)  # fmt: skip
_PAYMENT_COLUMNS = ("status", "updated_at", "provider_payment_id", "failure_reason", "paid_at")
_MESSAGE_COLUMNS = {
    "channel": "varchar", "to": "varchar", "subject": "varchar", "body": "text",
    "attachments": "jsonb", "status": "varchar", "attempts": "int",
    "next_attempt_at": "timestamptz", "created_at": "timestamptz", "secrets": "jsonb",
    "secrets_expire_at": "timestamptz",
}  # fmt: skip


@functools.cache
def _move_sql(credit: bool, receipt: bool) -> str:
    """One statement: the event inserted unless its dedupe key was seen (then nothing else
    happens: each step below depends on the one before through its RETURNING), the payment
    moved, and for a success the latest statement credited (locked in the same order as
    everywhere: payment, statement, its lines) and the receipt queued. Answers whether the
    event was recorded. PostgreSQL only ($1 is the payment's id throughout)."""
    n = len(_EVENT_COLUMNS)
    sets = ", ".join(f"{c} = ${n + i + 1}" for i, c in enumerate(_PAYMENT_COLUMNS))
    n += len(_PAYMENT_COLUMNS)
    parts = [
        f"""ev AS (
    INSERT INTO payment_event ({", ".join(_EVENT_COLUMNS)})
    VALUES ({database.placeholders(len(_EVENT_COLUMNS))})
    ON CONFLICT (dedupe_key) DO NOTHING RETURNING id
)""",
        f"""pay AS (
    UPDATE payment SET {sets} WHERE id = $1 AND EXISTS (SELECT 1 FROM ev)
    RETURNING account_id
)""",
    ]
    if credit:
        n += 1
        parts += [
            """latest AS (
    SELECT st.id FROM statement st JOIN pay ON st.account_id = pay.account_id
    ORDER BY st.period DESC LIMIT 1 FOR UPDATE OF st
)""",
            """credited AS (
    UPDATE statement_line sl SET paid = sl.paid + pl.amount, to_pay = sl.to_pay - pl.amount
    FROM payment_line pl, latest
    WHERE sl.statement_id = latest.id AND pl.payment_id = $1 AND sl.service_id = pl.service_id
    RETURNING sl.id
)""",
            f"""total AS (
    UPDATE statement s SET total_to_pay = s.total_to_pay - ${n}
    FROM latest WHERE s.id = latest.id RETURNING s.id
)""",
        ]
    if receipt:
        columns = ", ".join(f'"{c}"' for c in _MESSAGE_COLUMNS)
        values = ", ".join(f"${n + i + 1}::{t}" for i, t in enumerate(_MESSAGE_COLUMNS.values()))
        parts.append(
            f"""receipt AS (
    INSERT INTO outgoing_message ({columns})
    SELECT {values} WHERE EXISTS (SELECT 1 FROM pay) RETURNING id
)"""
        )
    return "WITH " + ",\n".join(parts) + "\nSELECT (SELECT count(*) FROM ev) AS recorded"


async def _move_at_once(
    rt: Runtime,
    payment: models.Payment,
    target: models.PaymentStatus,
    report: StatusReport,
    receipt: Receipt,
    key: str,
) -> bool:
    """The status change in one statement (`_move_sql`); False, and nothing changed, when a
    report with this dedupe key was recorded before."""
    before = {name: getattr(payment, name) for name in _PAYMENT_COLUMNS}
    _moved(payment, target, report)
    event = models.PaymentEvent._meta.fields_map
    values: list[object] = [
        models.Payment._meta.pk.to_db_value(payment.id, models.Payment),
        payment.provider,
        report.provider_payment_id[:128],
        report.provider_status[:32],
        key,
        EventOutcome.APPLIED.value,
        None,
        event["payload"].to_db_value(_jsonable(report.payload), models.PaymentEvent),
        event["received_at"].to_db_value(payment.updated_at, models.PaymentEvent),
    ]
    fields = models.Payment._meta.fields_map
    values += [fields[c].to_db_value(getattr(payment, c), payment) for c in _PAYMENT_COLUMNS]
    credit = target == S.SUCCEEDED
    message = _receipt_message(rt, payment, receipt) if credit and payment.receipt_email else None
    if credit:
        values.append(payment.amount)
    if message is not None:
        columns = models.OutgoingMessage._meta.fields_map
        values += [columns[c].to_db_value(getattr(message, c), message) for c in _MESSAGE_COLUMNS]
    rows = await database.fetch(models.Payment, _move_sql(credit, message is not None), *values)
    if rows[0]["recorded"]:
        return True
    for name, value in before.items():  # a duplicate: the payment stays as it was
        setattr(payment, name, value)
    return False


# The latest statement locked first (the same order everywhere: payment row, statement, its
# lines), then the payment's lines credited on it and its total lowered: one statement.
_CREDIT_SQL = """
WITH latest AS (
    SELECT id FROM statement WHERE account_id = $1 ORDER BY period DESC LIMIT 1 FOR UPDATE
), credited AS (
    UPDATE statement_line sl SET paid = sl.paid + pl.amount, to_pay = sl.to_pay - pl.amount
    FROM payment_line pl, latest
    WHERE sl.statement_id = latest.id AND pl.payment_id = $2 AND sl.service_id = pl.service_id
    RETURNING sl.id
)
UPDATE statement s SET total_to_pay = s.total_to_pay - $3
FROM latest WHERE s.id = latest.id
RETURNING (SELECT count(*) FROM credited) AS lines
"""


async def _credit_statement(payment: models.Payment) -> None:
    """Shows the payment on the latest statement at once: each line's paid grows and to_pay
    shrinks by what was paid for its service. Billing's next import replaces the statement with
    its own figures. Locked after the payment row (the same order everywhere), so two payments of
    one account credit it one after the other. In the status change's transaction: a payment
    is credited exactly once or not at all."""
    db = models.Statement._meta.db
    if db.capabilities.dialect == "postgres":
        await database.fetch(
            models.Statement, _CREDIT_SQL, payment.account_id, payment.id, payment.amount
        )
        return
    # SQLite keeps decimals as text (its arithmetic would round through floats): in Python.
    latest = await statement.latest_locked(payment.account_id)
    if latest is None:
        return
    lines = await models.PaymentLine.filter(payment_id=payment.id)
    amounts = {line.service_id: line.amount for line in lines}
    await statement.shift_paid(latest, amounts, payment.amount)


# The receipt's account number and lines (with their services' names) in one read.
_RECEIPT_SQL = """
SELECT a.number AS number, s.name AS service, pl.amount AS amount
FROM account a LEFT JOIN payment_line pl ON pl.payment_id = $1
LEFT JOIN service s ON s.id = pl.service_id
WHERE a.id = $2 ORDER BY pl.id
"""


async def _read_receipt(payment: models.Payment) -> Receipt:
    rows = await database.fetch(
        models.PaymentLine,
        _RECEIPT_SQL,
        models.Payment._meta.pk.to_db_value(payment.id, models.Payment),
        payment.account_id,
    )
    # The payment's account is a foreign key: it is there.
    assert rows, f"account {payment.account_id} referenced but missing"
    number = rows[0]["number"]
    amount_field = models.PaymentLine._meta.fields_map["amount"]
    lines = [
        (row["service"], amount_field.to_python_value(row["amount"]))
        for row in rows
        if row["service"] is not None
    ]
    return Receipt(number, lines)


def _receipt_message(
    rt: Runtime, payment: models.Payment, receipt: Receipt
) -> models.OutgoingMessage:
    """The receipt e-mail of a paid payment (not saved yet)."""
    assert payment.receipt_email
    number, lines = receipt.number, receipt.lines
    when = templates.local_time(rt, payment.paid_at or datetime.now(UTC))
    body = "\n".join(
        [
            f"Платёж по лицевому счёту {number} принят.",
            f"Дата: {when}",
            *(f"{service}: {_rubles(amount)}" for service, amount in lines),
            f"Итого: {_rubles(payment.amount)}",
            f"Номер платежа: {payment.id}",
            "",
            "Кассовый чек придёт от банка-эквайера отдельным письмом.",
        ]
    )
    return outbox.email_message(
        rt=rt,
        to=payment.receipt_email,
        subject=f"Оплата по лицевому счёту {number}",
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


_RECORD_ONCE_SQL = """
INSERT INTO payment_event
    (payment_id, provider, provider_ref, provider_status, dedupe_key, outcome, detail, payload,
     received_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (dedupe_key) DO NOTHING
RETURNING id
"""


async def _record_once(
    payment: models.Payment,
    provider: str,
    report: StatusReport,
    outcome: EventOutcome,
    *,
    dedupe_key: str,
) -> bool:
    """Records the report under its dedupe key; False (nothing recorded) when a report with that
    key was recorded before: the duplicate check and the insert in one statement."""
    meta = models.PaymentEvent._meta
    fields = meta.fields_map
    rows = await database.fetch(
        models.PaymentEvent,
        _RECORD_ONCE_SQL,
        models.Payment._meta.pk.to_db_value(payment.id, models.Payment),
        provider,
        report.provider_payment_id[:128],
        report.provider_status[:32],
        dedupe_key,
        outcome.value,
        None,
        fields["payload"].to_db_value(_jsonable(report.payload), models.PaymentEvent),
        fields["received_at"].to_db_value(datetime.now(UTC), models.PaymentEvent),
    )
    return bool(rows)


def _jsonable(payload: Any) -> Any:
    return payload if isinstance(payload, dict) else {"value": str(payload)}
