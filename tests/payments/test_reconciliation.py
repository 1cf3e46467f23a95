"""Reconciliation: payments whose callback never came are settled by asking the acquirer
(GetState); payments nobody paid expire."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import models
from sandbox_bank.models import SandboxOrder
from services.payments import reconcile
from tests.payments.flows import (
    STATUS,
    create,
    pay_by_sbp,
    runtime,
    statement_lines,
    wait_for_status,
)


async def test_lost_callback_is_settled_by_reconciliation(make_client):
    client = await make_client(payment_reconcile_after_minutes=0)
    ivan = await client.login("Ivan", "Ivan12345")
    payment = await create(client, ivan, method="SBP")
    status = await client.subscribe(STATUS, {"id": payment["id"]}, token=ivan)
    assert (await status.next())["payload"]["data"]["paymentStatus"]["status"] == "PENDING"
    # The bank app pays, but the callback is lost on the way.
    paid = await pay_by_sbp(client, payment["sbpPayload"], "success", deliverCallback=False)
    assert paid["status"] == "CONFIRMED"
    await asyncio.sleep(0.2)
    assert (await models.Payment.get(id=payment["id"])).status == models.PaymentStatus.PENDING

    counts = await reconcile.reconcile_once(runtime(client))

    assert counts == {"asked": 1, "applied": 1, "expired": 0, "errors": 0}
    pushed = await status.next()
    assert pushed["payload"]["data"]["paymentStatus"]["status"] == "SUCCEEDED"
    event = await models.PaymentEvent.get(payment_id=payment["id"], provider_status="CONFIRMED")
    assert event.outcome == "applied"
    # A second pass finds nothing to do.
    assert (await reconcile.reconcile_once(runtime(client)))["asked"] == 0
    await status.close()


async def test_recent_pending_payments_are_left_alone(client, ivan):
    payment = await create(client, ivan, method="SBP")
    await pay_by_sbp(client, payment["sbpPayload"], "success", deliverCallback=False)

    counts = await reconcile.reconcile_once(runtime(client))

    assert counts["asked"] == 0
    assert (await models.Payment.get(id=payment["id"])).status == models.PaymentStatus.PENDING


async def test_unpaid_payment_expires_and_is_canceled_at_the_acquirer(client, ivan):
    payment = await create(client, ivan)
    past = datetime.now(UTC) - timedelta(minutes=1)
    await models.Payment.filter(id=payment["id"]).update(expires_at=past)

    counts = await reconcile.reconcile_once(runtime(client))

    assert counts["expired"] == 1
    row = await models.Payment.get(id=payment["id"])
    assert row.status == models.PaymentStatus.EXPIRED and row.failure_reason
    assert (await SandboxOrder.get(order_id=payment["id"])).status == "CANCELED"


async def test_payment_paid_just_before_its_deadline_does_not_expire(client, ivan):
    payment = await create(client, ivan, method="SBP")
    await pay_by_sbp(client, payment["sbpPayload"], "success", deliverCallback=False)
    past = datetime.now(UTC) - timedelta(minutes=1)
    await models.Payment.filter(id=payment["id"]).update(expires_at=past)

    counts = await reconcile.reconcile_once(runtime(client))

    assert counts["expired"] == 0
    row = await models.Payment.get(id=payment["id"])
    assert row.status == models.PaymentStatus.SUCCEEDED and row.paid_at


async def test_reconciliation_runs_at_start_up(make_client):
    first = await make_client()
    ivan = await first.login("Ivan", "Ivan12345")
    payment = await create(first, ivan, method="SBP")
    await pay_by_sbp(first, payment["sbpPayload"], "success", deliverCallback=False)

    # Another server process starts with background tasks on: its first pass settles it.
    await make_client(background_tasks=True, payment_reconcile_after_minutes=0)

    row = await wait_for_status(payment["id"], "SUCCEEDED")
    assert row.paid_at is not None


async def test_reconciliation_applies_a_refund_the_callbacks_never_told(make_client):
    client = await make_client(payment_reconcile_after_minutes=0)
    ivan = await client.login("Ivan", "Ivan12345")
    payment = await create(client, ivan, method="SBP")
    total_before, _ = await statement_lines(client, ivan)
    await pay_by_sbp(client, payment["sbpPayload"], "success", deliverCallback=False)
    # Then the bank refunded a part, and that callback was lost too: GetState says so.
    row = await models.Payment.get(id=payment["id"])
    await SandboxOrder.filter(id=row.provider_payment_id).update(
        status="PARTIALLY_REFUNDED", refunded_kopecks=30000
    )

    counts = await reconcile.reconcile_once(runtime(client))

    assert counts == {"asked": 1, "applied": 1, "expired": 0, "errors": 0}
    row = await models.Payment.get(id=payment["id"])
    assert (row.status, row.refunded_amount) == (models.PaymentStatus.SUCCEEDED, Decimal("300"))
    assert (await statement_lines(client, ivan))[0] == total_before - Decimal("1000.00")
