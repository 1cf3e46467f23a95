"""The operators' payment feed (scope `dashboard`): every payment status change, read back from
the database."""

from __future__ import annotations

import asyncio
import uuid

import models
from services.payments.channels import PAYMENTS_CHANNEL

PAYMENT_STATUS_CHANGED = """
subscription { paymentStatusChanged { id accountNumber status amount channel provider } }
"""
DEMO_PAYMENT = uuid.uuid5(uuid.NAMESPACE_URL, "demo-payment-1")


async def wait_for_subscriber(runtime) -> None:
    for _ in range(100):
        if runtime.broker.subscriber_count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the subscription never subscribed to the broker")


async def next_after_publishing(runtime, subscription, message: dict) -> dict:
    """Publishes until the subscription answers: a Redis subscription may take a moment to
    reach the server after the local subscriber is registered."""
    for _ in range(10):
        await runtime.broker.publish(PAYMENTS_CHANNEL, message)
        try:
            return await subscription.next(timeout=0.5)
        except TimeoutError:
            continue
    raise AssertionError("no message")


async def test_dashboard_sees_each_status_change_as_stored(integration, dashboard_key, runtime):
    subscription, ack = await integration.subscribe(
        PAYMENT_STATUS_CHANGED, authorization=f"ApiKey {dashboard_key}"
    )
    assert ack["type"] == "connection_ack"
    await wait_for_subscriber(runtime)
    # The message says SUCCEEDED; the database now says REFUNDED: the dashboard shows the row.
    await models.Payment.filter(id=DEMO_PAYMENT).update(status=models.PaymentStatus.REFUNDED)

    message = await next_after_publishing(
        runtime, subscription, {"paymentId": str(DEMO_PAYMENT), "status": "SUCCEEDED"}
    )

    assert message["type"] == "next", message
    payment = message["payload"]["data"]["paymentStatusChanged"]
    assert payment["id"] == str(DEMO_PAYMENT)
    assert payment["status"] == "REFUNDED"
    assert payment["accountNumber"] == "66200000000"
    assert payment["provider"] == "offline"
    await subscription.close()


async def test_dashboard_subscription_needs_the_dashboard_scope(integration, billing_key):
    subscription, ack = await integration.subscribe(
        PAYMENT_STATUS_CHANGED, authorization=f"ApiKey {billing_key}"
    )
    assert ack["type"] == "connection_ack"

    message = await subscription.next()

    assert message["type"] in ("next", "error"), message
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    await subscription.close()


async def test_dashboard_subscription_refuses_customer_tokens(integration, ivan):
    _, ack = await integration.subscribe(PAYMENT_STATUS_CHANGED, authorization=f"Bearer {ivan}")

    assert ack["type"] != "connection_ack"
