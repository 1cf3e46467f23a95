"""The payments' fault tests applied to a payment made without signing in: duplicated,
reordered and concurrent callbacks, a lost callback settled by reconciliation, a refund. The
money is credited (and reversed) exactly once, one receipt goes to the address given."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import models
from services.payments import reconcile
from tests.payments.flows import pay_by_sbp, runtime, send_callback, snapshot, statement_lines
from tests.public_payments.flows import FOLLOW, RECEIPT_TO, created, look_up

AMOUNT = Decimal("272.09")


async def _site_payment(client, **kwargs) -> dict:
    token = (await look_up(client))["payToken"]
    return await created(client, token, **kwargs)


async def _outcomes(payment_id: str) -> list[str]:
    rows = await models.PaymentEvent.filter(payment_id=payment_id).values_list("outcome", flat=True)
    return sorted(rows)


async def test_duplicated_callback_credits_a_site_payment_once(client, ivan):
    payment = (await _site_payment(client))["payment"]
    total_before, _ = await statement_lines(client, ivan)

    first = await send_callback(client, payment["id"], "CONFIRMED")
    second = await send_callback(client, payment["id"], "CONFIRMED")

    assert first == second == (200, "OK")
    assert (await statement_lines(client, ivan))[0] == total_before - AMOUNT
    assert await models.OutgoingMessage.filter(to=RECEIPT_TO).count() == 1
    assert await _outcomes(payment["id"]) == ["applied", "duplicate"]


async def test_reordered_callbacks_of_site_payments_end_in_the_first_final_status(client, ivan):
    paid = (await _site_payment(client))["payment"]
    declined = (await _site_payment(client))["payment"]
    total_before, _ = await statement_lines(client, ivan)

    for payment, order in (
        (paid, ["CONFIRMED", "3DS_CHECKING", "REJECTED", "CANCELED"]),
        (declined, ["REJECTED", "NEW", "CONFIRMED"]),
    ):
        for status in order:
            assert await send_callback(client, payment["id"], status) == (200, "OK")

    assert (await models.Payment.get(id=paid["id"])).status == models.PaymentStatus.SUCCEEDED
    failed = await models.Payment.get(id=declined["id"])
    assert failed.status == models.PaymentStatus.FAILED and failed.paid_at is None
    assert failed.failure_reason
    assert (await statement_lines(client, ivan))[0] == total_before - AMOUNT
    assert await models.OutgoingMessage.filter(to=RECEIPT_TO).count() == 1


async def test_concurrent_callbacks_apply_a_site_payment_once(client, ivan):
    payment = (await _site_payment(client))["payment"]
    total_before, lines_before = await statement_lines(client, ivan)

    answers = await asyncio.gather(
        *(send_callback(client, payment["id"], "CONFIRMED") for _ in range(8)),
        *(send_callback(client, payment["id"], "REJECTED") for _ in range(4)),
    )

    assert all(a == (200, "OK") for a in answers)
    row = await models.Payment.get(id=payment["id"])
    applied = await models.PaymentEvent.filter(payment_id=row.id, outcome="applied").count()
    assert applied == 1
    total_after, lines_after = await statement_lines(client, ivan)
    if row.status == models.PaymentStatus.SUCCEEDED:
        assert total_after == total_before - AMOUNT
        assert await models.OutgoingMessage.filter(to=RECEIPT_TO).count() == 1
    else:
        assert row.status == models.PaymentStatus.FAILED
        assert (total_after, lines_after) == (total_before, lines_before)
        assert await models.OutgoingMessage.filter(to=RECEIPT_TO).count() == 0


async def test_a_lost_callback_of_a_site_payment_is_settled_by_reconciliation(make_client):
    client = await make_client(payment_reconcile_after_minutes=0)
    payload = await _site_payment(client, method="SBP")
    payment = payload["payment"]
    follow = await client.subscribe(
        FOLLOW, {"id": payment["id"], "capability": payload["capability"]}
    )
    assert (await follow.next())["payload"]["data"]["paymentStatus"]["status"] == "PENDING"
    paid = await pay_by_sbp(client, payment["sbpPayload"], "success", deliverCallback=False)
    assert paid["status"] == "CONFIRMED"

    counts = await reconcile.reconcile_once(runtime(client))

    assert counts == {"asked": 1, "applied": 1, "expired": 0, "errors": 0}
    pushed = (await follow.next())["payload"]["data"]["paymentStatus"]
    assert pushed["status"] == "SUCCEEDED" and pushed["receiptEmail"] is None
    await follow.close()
    assert await models.OutgoingMessage.filter(to=RECEIPT_TO).count() == 1


async def test_a_refund_of_a_site_payment_reverses_the_credit_once_and_tells_the_payer(
    client, ivan
):
    payment = (await _site_payment(client))["payment"]
    total_before, lines_before = await statement_lines(client, ivan)
    await send_callback(client, payment["id"], "CONFIRMED")
    paid = await snapshot()

    first = await send_callback(client, payment["id"], "REFUNDED", refundedAmount=27209)
    second = await send_callback(client, payment["id"], "REFUNDED", refundedAmount=27209)

    assert first == second == (200, "OK")
    assert await snapshot() != paid
    assert await statement_lines(client, ivan) == (total_before, lines_before)
    row = await models.Payment.get(id=payment["id"])
    assert (row.status, row.refunded_amount) == (models.PaymentStatus.REFUNDED, AMOUNT)
    refunds = await models.OutgoingMessage.filter(subject__startswith="Возврат платежа")
    assert [message.to for message in refunds] == [RECEIPT_TO]
