"""paymentStatus and accountPayments: only the owner may subscribe; messages are re-read from
the database, so a stale or wrong message never shows a wrong status."""

from __future__ import annotations

import asyncio

from services.payments.channels import payment_channel
from tests.payments.flows import (
    ACCOUNT_FEED,
    IVAN_ACCOUNT,
    PETR_ACCOUNT,
    STATUS,
    create,
    runtime,
    send_callback,
)


async def test_foreign_payment_subscription_is_an_error(client, ivan, petr):
    payment = await create(client, ivan)

    status = await client.subscribe(STATUS, {"id": payment["id"]}, token=petr)
    message = await status.next()

    assert message["type"] in ("next", "error")
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert errors[0]["extensions"]["code"] == "NOT_FOUND"
    await status.close()


async def test_anonymous_subscription_is_an_error(client, ivan):
    payment = await create(client, ivan)

    status = await client.subscribe(STATUS, {"id": payment["id"]})
    message = await status.next()

    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    await status.close()


async def test_foreign_account_feed_is_an_error(client, ivan):
    feed = await client.subscribe(ACCOUNT_FEED, {"number": PETR_ACCOUNT}, token=ivan)
    message = await feed.next()

    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert errors[0]["extensions"]["code"] == "NOT_FOUND"
    await feed.close()


async def test_wrong_broker_message_does_not_show_a_wrong_status(client, ivan):
    payment = await create(client, ivan)
    status = await client.subscribe(STATUS, {"id": payment["id"]}, token=ivan)
    assert (await status.next())["payload"]["data"]["paymentStatus"]["status"] == "PENDING"
    broker = runtime(client).broker

    # A message claiming success that the database does not confirm is not passed on.
    await broker.publish(
        payment_channel(payment["id"]), {"paymentId": payment["id"], "status": "SUCCEEDED"}
    )
    await send_callback(client, payment["id"], "REJECTED")

    pushed = await status.next()
    assert pushed["payload"]["data"]["paymentStatus"]["status"] == "FAILED"
    await status.close()


async def test_resync_sends_the_current_state(client, ivan):
    payment = await create(client, ivan)
    feed = await client.subscribe(ACCOUNT_FEED, {"number": IVAN_ACCOUNT}, token=ivan)
    status = await client.subscribe(STATUS, {"id": payment["id"]}, token=ivan)
    assert (await status.next())["payload"]["data"]["paymentStatus"]["status"] == "PENDING"
    broker = runtime(client).broker
    await send_callback(client, payment["id"], "CONFIRMED")
    await status.next()
    await feed.next()

    # The broker reconnected (or the subscriber fell behind): everyone is told to resync, and
    # the feed sends again what changed since its last message.
    broker._resync_all()

    message = await feed.next()
    assert message["payload"]["data"]["accountPayments"] == {
        "id": payment["id"],
        "status": "SUCCEEDED",
    }
    await feed.close()
    await status.close()


async def test_closed_subscriptions_leave_no_subscriber_behind(client, ivan):
    payment = await create(client, ivan)
    broker = runtime(client).broker
    subs = [
        await client.subscribe(STATUS, {"id": payment["id"]}, token=ivan),
        await client.subscribe(ACCOUNT_FEED, {"number": IVAN_ACCOUNT}, token=ivan),
    ]
    await subs[0].next()
    await send_callback(client, payment["id"], "CONFIRMED")
    await subs[1].next()
    # One per subscription, and one per connection watching its session.
    assert broker.subscriber_count == 4

    for sub in subs:
        await sub.close()

    for _ in range(100):
        if broker.subscriber_count == 0:
            break
        await asyncio.sleep(0.02)
    assert broker.subscriber_count == 0
