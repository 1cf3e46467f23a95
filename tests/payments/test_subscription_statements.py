"""What one subscription event costs the database: the payment read again, with the session and
the user's access checked in the same statement (it was four statements: the payment, the
session, the payment again and the user's link to its account)."""

from __future__ import annotations

import asyncio

import models
from services.payments.channels import account_channel, payment_channel
from tests.payments.flows import ACCOUNT_FEED, IVAN_ACCOUNT, STATUS, create, runtime

# The payment read with its viewer's session and link checked (the feed's one statement).
MOST_PER_EVENT = 1


async def _statements_of(sql_queries, deliver) -> list[str]:
    sql_queries.count = 0
    sql_queries.statements.clear()
    message = await deliver()
    await asyncio.sleep(0.05)  # nothing else runs after the message
    return [message, list(sql_queries.statements)]


async def test_a_payment_status_event_takes_one_statement(client, ivan, sql_queries):
    payment = await create(client, ivan)
    status = await client.subscribe(STATUS, {"id": payment["id"]}, token=ivan)
    assert (await status.next())["payload"]["data"]["paymentStatus"]["status"] == "PENDING"
    await models.Payment.filter(id=payment["id"]).update(status=models.PaymentStatus.FAILED)
    hint = {"paymentId": payment["id"], "status": "FAILED"}

    async def deliver():
        await runtime(client).broker.publish(payment_channel(payment["id"]), hint)
        return await status.next()

    message, statements = await _statements_of(sql_queries, deliver)

    assert message["payload"]["data"]["paymentStatus"]["status"] == "FAILED"
    assert len(statements) <= MOST_PER_EVENT, "\n".join(statements)
    await status.close()


async def test_an_account_feed_event_takes_one_statement(client, ivan, sql_queries):
    payment = await create(client, ivan)
    row = await models.Payment.get(id=payment["id"])
    feed = await client.subscribe(ACCOUNT_FEED, {"number": IVAN_ACCOUNT}, token=ivan)
    await asyncio.sleep(0.1)  # subscribed
    hint = {"paymentId": payment["id"], "status": "PENDING"}

    async def deliver():
        await runtime(client).broker.publish(account_channel(row.account_id), hint)
        return await feed.next()

    message, statements = await _statements_of(sql_queries, deliver)

    assert message["payload"]["data"]["accountPayments"]["id"] == payment["id"]
    assert len(statements) <= MOST_PER_EVENT, "\n".join(statements)
    await feed.close()
