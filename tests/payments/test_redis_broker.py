"""The Redis broker: a callback that reaches one server process is pushed to a subscriber of
another; a lost listener connection resyncs; Redis being away breaks no request."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as aioredis

import models
from tests.conftest import REDIS
from tests.payments.flows import STATUS, create, pay_by_card, runtime, send_callback

needs_redis = pytest.mark.skipif(
    not REDIS, reason="needs Redis: set LK_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/0)"
)


@needs_redis
async def test_callback_on_one_process_is_pushed_to_a_subscriber_of_another(make_client):
    prefix = "lktest:shared-" + str(id(make_client))
    web = await make_client(redis_url=REDIS, redis_prefix=prefix)
    bank_side = await make_client(redis_url=REDIS, redis_prefix=prefix)
    ivan = await web.login("Ivan", "Ivan12345")
    payment = await create(web, ivan)
    status = await web.subscribe(STATUS, {"id": payment["id"]}, token=ivan)
    assert (await status.next())["payload"]["data"]["paymentStatus"]["status"] == "PENDING"

    assert await send_callback(bank_side, payment["id"], "CONFIRMED") == (200, "OK")

    pushed = await status.next()
    assert pushed["payload"]["data"]["paymentStatus"]["status"] == "SUCCEEDED"
    await status.close()


@needs_redis
async def test_listener_connection_killed_subscriber_still_gets_the_status(client, ivan):
    payment = await create(client, ivan)
    status = await client.subscribe(STATUS, {"id": payment["id"]}, token=ivan)
    assert (await status.next())["payload"]["data"]["paymentStatus"]["status"] == "PENDING"
    broker = runtime(client).broker
    admin = aioredis.from_url(REDIS)
    try:
        # Kill only this app's listener connection (other test runs share the server).
        listener_port = broker._pubsub.connection._writer.get_extra_info("sockname")[1]
        for info in await admin.client_list(_type="pubsub"):
            if info["addr"].endswith(f":{listener_port}"):
                await admin.client_kill_filter(_id=info["id"])
        await send_callback(client, payment["id"], "CONFIRMED")

        pushed = await status.next(timeout=10)
    finally:
        await admin.aclose()

    assert pushed["payload"]["data"]["paymentStatus"]["status"] == "SUCCEEDED"
    await status.close()


async def test_redis_away_breaks_no_payment(make_client):
    client = await make_client(redis_url="redis://127.0.0.1:9/0")  # nothing listens there
    ivan = await client.login("Ivan", "Ivan12345")
    payment = await create(client, ivan)

    html = await pay_by_card(client, payment["confirmationUrl"], "4111111111111111")

    assert 'data-status="CONFIRMED"' in html
    for _ in range(250):
        row = await models.Payment.get(id=payment["id"])
        if row.status == models.PaymentStatus.SUCCEEDED:
            break
        await asyncio.sleep(0.02)
    assert row.status == models.PaymentStatus.SUCCEEDED
