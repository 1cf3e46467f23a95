"""What one callback costs the database: the status change, its event, the statement credit and
the receipt in a few statements (the push leaves after the commit, so every statement delays
it), with the same money on the statement as before."""

from __future__ import annotations

from decimal import Decimal

import orjson

import models
from adapters.acquirers.sandbox import SIGNATURE_HEADER, signature_header
from tests.payments.flows import create, runtime, send_callback, statement_lines

# PostgreSQL: the row lock with the receipt's data, then one write (the event deduplicated by its
# insert, the status, the statement credit, the receipt). SQLite: the row lock, the event, the
# status, the statement read and written line by line, the receipt's read and its insert.
POSTGRES_MOST = 2
SQLITE_MOST = 11


def _is_postgres() -> bool:
    return models.Payment._meta.db.capabilities.dialect == "postgres"


async def test_a_paying_callback_takes_few_statements_and_credits_once(client, ivan, sql_queries):
    payment = await create(client, ivan)
    total_before, lines_before = await statement_lines(client, ivan)
    row = await models.Payment.get(id=payment["id"])
    body = orjson.dumps(
        {"id": row.provider_payment_id, "orderId": payment["id"], "status": "CONFIRMED",
         "amount": int(row.amount * 100), "method": "CARD"}
    )  # fmt: skip
    secret = runtime(client).settings.sandbox_secret
    headers = {SIGNATURE_HEADER: signature_header(secret, body), "Content-Type": "application/json"}
    sql_queries.count = 0
    sql_queries.statements.clear()

    answer = await client.http.post("/payments/callback/sandbox", data=body, headers=headers)

    assert (answer.status, await answer.text()) == (200, "OK")

    statements = [s for s in sql_queries.statements if s.strip().upper() not in ("BEGIN", "COMMIT")]
    most = POSTGRES_MOST if _is_postgres() else SQLITE_MOST
    assert len(statements) <= most, "\n".join(statements)
    total_after, lines_after = await statement_lines(client, ivan)
    assert total_after == total_before - Decimal("1300.00")
    assert lines_after != lines_before
    assert await models.OutgoingMessage.filter(to="ivanov@ivan.ru").count() == 1
    row = await models.Payment.get(id=payment["id"])
    assert row.status == models.PaymentStatus.SUCCEEDED
    outcomes = await models.PaymentEvent.filter(payment_id=row.id).values_list("outcome", flat=True)
    assert outcomes == ["applied"]


async def test_a_repeated_callback_records_a_duplicate_and_credits_nothing(client, ivan):
    payment = await create(client, ivan)
    await send_callback(client, payment["id"], "CONFIRMED")
    total, lines = await statement_lines(client, ivan)

    assert await send_callback(client, payment["id"], "CONFIRMED") == (200, "OK")

    assert await statement_lines(client, ivan) == (total, lines)
    outcomes = await models.PaymentEvent.filter(payment_id=payment["id"]).values_list(
        "outcome", flat=True
    )
    assert sorted(outcomes) == ["applied", "duplicate"]


async def test_a_report_whose_key_was_recorded_changes_nothing(client, ivan):
    # A report with this dedupe key recorded before (as a race the row lock prevents would
    # leave it): the one write records nothing, moves nothing, credits and queues nothing.
    payment = await create(client, ivan)
    row = await models.Payment.get(id=payment["id"])
    key = f"sandbox:{row.provider_payment_id}:CONFIRMED"
    await models.PaymentEvent.create(
        payment=row,
        provider="sandbox",
        provider_ref=row.provider_payment_id,
        provider_status="CONFIRMED",
        dedupe_key=key,
        outcome="ignored",
        payload={},
    )
    total, lines = await statement_lines(client, ivan)
    messages = await models.OutgoingMessage.filter(to="ivanov@ivan.ru").count()

    assert await send_callback(client, payment["id"], "CONFIRMED") == (200, "OK")

    row = await models.Payment.get(id=payment["id"])
    assert (row.status, row.paid_at) == (models.PaymentStatus.PENDING, None)
    assert await statement_lines(client, ivan) == (total, lines)
    assert await models.OutgoingMessage.filter(to="ivanov@ivan.ru").count() == messages
    outcomes = await models.PaymentEvent.filter(payment_id=row.id).values_list("outcome", flat=True)
    assert sorted(outcomes) == ["duplicate", "ignored"]
