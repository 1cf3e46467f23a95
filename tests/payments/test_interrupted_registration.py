"""createPayment repeated after a server died between storing a payment and registering it
with the acquirer (found by bench/fault_kill.py): the repeat registers it again."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import models
from sandbox_bank.models import SandboxOrder
from tests.payments.flows import CREATE, create, pay_by_card, payment_input, wait_for_status


async def cut_off(payment_id: str, *, age: timedelta) -> None:
    """Leaves the payment as a request killed before the acquirer answered leaves it."""
    await models.Payment.filter(id=payment_id).update(
        status=models.PaymentStatus.CREATED,
        provider_payment_id=None,
        confirmation_url=None,
        sbp_payload=None,
        updated_at=datetime.now(UTC) - age,
    )


async def test_repeat_registers_a_payment_whose_registration_was_cut_off(client, ivan):
    first = await create(client, ivan, idempotencyKey="crash-1")
    await cut_off(first["id"], age=timedelta(minutes=1))

    answers = await asyncio.gather(
        *(
            client.execute(CREATE, payment_input(idempotencyKey="crash-1"), token=ivan)
            for _ in range(4)
        )
    )

    payloads = [a["createPayment"] for a in answers]
    assert all(p["errors"] == [] and p["payment"]["id"] == first["id"] for p in payloads)
    registered = [p["payment"] for p in payloads if p["payment"]["status"] == "PENDING"]
    # One repeat registers it; a repeat that starts after that one committed reads it PENDING
    # too (on a loaded machine the four do not always overlap): the same page for all of them.
    assert registered and len({p["confirmationUrl"] for p in registered}) == 1
    assert registered[0]["confirmationUrl"]
    # One order from the first registration, one from the repeat: never one per request.
    assert await SandboxOrder.filter(order_id=first["id"]).count() == 2
    await pay_by_card(client, registered[0]["confirmationUrl"], "4111111111111111")
    paid = await wait_for_status(first["id"], "SUCCEEDED")
    assert paid.provider_payment_id == registered[0]["confirmationUrl"].rsplit("/", 1)[1]
    assert await models.Payment.filter(provider="sandbox").count() == 1


async def test_repeat_leaves_a_registration_still_in_progress_alone(client, ivan):
    first = await create(client, ivan, idempotencyKey="crash-2")
    await cut_off(first["id"], age=timedelta(seconds=1))

    data = await client.execute(CREATE, payment_input(idempotencyKey="crash-2"), token=ivan)

    again = data["createPayment"]["payment"]
    assert (again["id"], again["status"], again["confirmationUrl"]) == (
        first["id"],
        "CREATED",
        None,
    )
    assert await SandboxOrder.filter(order_id=first["id"]).count() == 1
