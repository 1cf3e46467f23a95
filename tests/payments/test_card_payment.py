"""Paying by card on the sandbox acquirer's page: success after the 3-D Secure step, decline;
each outcome pushed to a paymentStatus subscriber and to the account feed."""

from __future__ import annotations

from decimal import Decimal

import models
from sandbox_bank.models import SandboxOrder
from tests.payments.flows import (
    ACCOUNT_FEED,
    IVAN_ACCOUNT,
    PAYMENT,
    STATUS,
    create,
    pay_by_card,
    statement_lines,
    wait_for_status,
)


async def test_card_payment_succeeds_after_3ds_and_is_pushed(client, ivan):
    total_before, lines_before = await statement_lines(client, ivan)
    payment = await create(client, ivan)
    assert payment["confirmationUrl"].startswith("http://127.0.0.1:")
    assert payment["amount"] == "1300.00"
    status = await client.subscribe(STATUS, {"id": payment["id"]}, token=ivan)
    feed = await client.subscribe(ACCOUNT_FEED, {"number": IVAN_ACCOUNT}, token=ivan)
    first = await status.next()
    assert first["payload"]["data"]["paymentStatus"]["status"] == "PENDING"

    html = await pay_by_card(client, payment["confirmationUrl"], "4111 1111 1111 1111")

    assert 'data-status="CONFIRMED"' in html
    pushed = await status.next()
    assert pushed["payload"]["data"]["paymentStatus"]["status"] == "SUCCEEDED"
    assert pushed["payload"]["data"]["paymentStatus"]["paidAt"]
    fed = await feed.next()
    assert fed["payload"]["data"]["accountPayments"] == {"id": payment["id"], "status": "SUCCEEDED"}
    data = await client.execute(PAYMENT, {"id": payment["id"]}, token=ivan)
    assert data["payment"]["status"] == "SUCCEEDED"
    total_after, lines_after = await statement_lines(client, ivan)
    assert total_after == total_before - Decimal("1300.00")
    paid, to_pay = lines_before["ELECTRICITY"]
    assert lines_after["ELECTRICITY"] == (paid + Decimal("1200.50"), to_pay - Decimal("1200.50"))
    receipts = await models.OutgoingMessage.filter(to="ivanov@ivan.ru")
    assert len(receipts) == 1 and "1300.00" in receipts[0].body
    await status.close()
    await feed.close()


async def test_declined_card_fails_the_payment_and_is_pushed(client, ivan):
    total_before, _ = await statement_lines(client, ivan)
    payment = await create(client, ivan)
    status = await client.subscribe(STATUS, {"id": payment["id"]}, token=ivan)
    assert (await status.next())["payload"]["data"]["paymentStatus"]["status"] == "PENDING"

    html = await pay_by_card(client, payment["confirmationUrl"], "4000 0000 0000 0002")

    assert 'data-status="REJECTED"' in html
    pushed = await status.next()
    assert pushed["payload"]["data"]["paymentStatus"]["status"] == "FAILED"
    row = await wait_for_status(payment["id"], "FAILED")
    assert row.paid_at is None and row.failure_reason
    assert (await statement_lines(client, ivan))[0] == total_before
    assert await models.OutgoingMessage.filter(to="ivanov@ivan.ru").count() == 0
    await status.close()


async def test_wrong_3ds_code_keeps_the_payment_pending(client, ivan):
    payment = await create(client, ivan)
    path = "/sandbox/pay/" + payment["confirmationUrl"].rsplit("/", 1)[1]
    answer = await client.http.post(
        path, data={"number": "4111111111111111", "expiry": "12/39", "cvc": "123"}
    )
    assert 'id="code"' in await answer.text()

    answer = await client.http.post(path + "/3ds", data={"code": "000000x"})

    assert "Неверный код" in await answer.text()
    order = await SandboxOrder.get(order_id=payment["id"])
    assert order.status == "3DS_CHECKING"
    assert (await models.Payment.get(id=payment["id"])).status == models.PaymentStatus.PENDING
