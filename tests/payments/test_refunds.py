"""Refunds: a REFUNDED or PARTIALLY_REFUNDED callback (signed like the sandbox's, over HTTP)
reverses the statement credit once, whatever arrives twice, late or out of order; the customer
sees it in the payment, the history, the push and an e-mail. The sandbox's operator refunds."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import orjson

import models
from adapters.acquirers.sandbox import SIGNATURE_HEADER, signature_header
from services import periods
from tests.documents.pdf_client import document_url, fetch_pdf, text_of
from tests.payments.flows import (
    IVAN_ACCOUNT,
    PAYMENT,
    create,
    pay_by_sbp,
    runtime,
    send_callback,
    snapshot,
    statement_lines,
    wait_for_status,
)

HISTORY = """
query History($number: String!) {
  account(number: $number) {
    payments(first: 10) { edges { node { id status amount refundedAmount refundedAt } } }
  }
}
"""
REFUND_PAYMENT = "query Payment($id: ID!) { payment(id: $id) { status refundedAmount refundedAt } }"
REFUND_STATUS = (
    "subscription Status($id: ID!) { paymentStatus(id: $id) { id status refundedAmount } }"
)
# The payment of flows.create: ELECTRICITY 1200.50 + ELECTRICITY_COMMON 99.50.
TOTAL = 130000


async def refund_callback(client, payment_id: str, refunded: int) -> tuple[int, str]:
    status = "REFUNDED" if refunded == TOTAL else "PARTIALLY_REFUNDED"
    return await send_callback(client, payment_id, status, refundedAmount=refunded)


async def refund_emails() -> list[models.OutgoingMessage]:
    return await models.OutgoingMessage.filter(subject__startswith="Возврат платежа").all()


async def test_refunded_callback_reverses_the_statement_credit_once(client, ivan):
    payment = await create(client, ivan)
    total_before, lines_before = await statement_lines(client, ivan)
    await send_callback(client, payment["id"], "CONFIRMED")

    first = await refund_callback(client, payment["id"], TOTAL)
    second = await refund_callback(client, payment["id"], TOTAL)

    assert first == second == (200, "OK")
    assert await statement_lines(client, ivan) == (total_before, lines_before)
    row = await models.Payment.get(id=payment["id"])
    assert (row.status, row.refunded_amount) == (models.PaymentStatus.REFUNDED, Decimal("1300"))
    assert row.refunded_at is not None
    assert await models.PaymentRefund.filter(payment_id=row.id).count() == 1
    shown = (await client.execute(REFUND_PAYMENT, {"id": payment["id"]}, token=ivan))["payment"]
    assert (shown["status"], shown["refundedAmount"]) == ("REFUNDED", "1300.00")
    emails = await refund_emails()
    assert len(emails) == 1 and emails[0].to == "ivanov@ivan.ru"
    assert "Возвращено: 1300.00 ₽" in emails[0].body and IVAN_ACCOUNT in emails[0].body


async def test_partial_refunds_split_by_lines_to_the_kopeck(client, ivan):
    payment = await create(client, ivan)
    await send_callback(client, payment["id"], "CONFIRMED")
    total_paid, lines_paid = await statement_lines(client, ivan)

    # 100.01 of 1300.00: 99.50/1300 of it is 7.6546 → 7.65 on the small line, 92.36 on the largest.
    assert await refund_callback(client, payment["id"], 10001) == (200, "OK")

    total, lines = await statement_lines(client, ivan)
    assert total == total_paid + Decimal("100.01")
    paid, to_pay = lines_paid["ELECTRICITY"]
    assert lines["ELECTRICITY"] == (paid - Decimal("92.36"), to_pay + Decimal("92.36"))
    paid, to_pay = lines_paid["ELECTRICITY_COMMON"]
    assert lines["ELECTRICITY_COMMON"] == (paid - Decimal("7.65"), to_pay + Decimal("7.65"))
    row = await models.Payment.get(id=payment["id"])
    assert (row.status, row.refunded_amount) == (models.PaymentStatus.SUCCEEDED, Decimal("100.01"))
    shown = (await client.execute(REFUND_PAYMENT, {"id": payment["id"]}, token=ivan))["payment"]
    assert (shown["status"], shown["refundedAmount"]) == ("SUCCEEDED", "100.01")

    # A second part, then the rest: each line gets back exactly what it was paid.
    assert await refund_callback(client, payment["id"], 50000) == (200, "OK")
    assert await refund_callback(client, payment["id"], TOTAL) == (200, "OK")
    _, lines = await statement_lines(client, ivan)
    amounts = await models.PaymentRefund.filter(payment_id=row.id).values_list("amount", flat=True)
    assert sorted(amounts) == [Decimal("100.01"), Decimal("399.99"), Decimal("800.00")]
    assert len(await refund_emails()) == 3
    before_payment = lines_paid["ELECTRICITY"][0] - Decimal("1200.50")
    assert lines["ELECTRICITY"][0] == before_payment


async def test_late_and_duplicated_partial_refunds_add_nothing(client, ivan):
    payment = await create(client, ivan)
    total_before, lines_before = await statement_lines(client, ivan)
    await send_callback(client, payment["id"], "CONFIRMED")
    await refund_callback(client, payment["id"], 20000)
    await refund_callback(client, payment["id"], TOTAL)
    settled = await snapshot()

    # The bank re-sends the partial refund after the full one, and the full one again.
    answers = [
        await refund_callback(client, payment["id"], 20000),
        await refund_callback(client, payment["id"], 10000),
        await refund_callback(client, payment["id"], TOTAL),
        await send_callback(client, payment["id"], "CONFIRMED"),
    ]

    assert all(a == (200, "OK") for a in answers)
    assert await snapshot() == settled
    assert await statement_lines(client, ivan) == (total_before, lines_before)
    assert (await models.Payment.get(id=payment["id"])).refunded_amount == Decimal("1300")


async def test_refund_arriving_before_the_confirmation_pays_then_refunds_once(client, ivan):
    payment = await create(client, ivan)
    total_before, lines_before = await statement_lines(client, ivan)

    assert await refund_callback(client, payment["id"], TOTAL) == (200, "OK")
    assert await send_callback(client, payment["id"], "CONFIRMED") == (200, "OK")

    row = await models.Payment.get(id=payment["id"])
    assert row.status == models.PaymentStatus.REFUNDED and row.paid_at is not None
    assert await statement_lines(client, ivan) == (total_before, lines_before)
    assert await models.PaymentRefund.filter(payment_id=row.id).count() == 1


async def test_concurrent_duplicated_and_reordered_refunds_reverse_exactly_once(client, ivan):
    payment = await create(client, ivan)
    total_before, lines_before = await statement_lines(client, ivan)

    answers = await asyncio.gather(
        *(send_callback(client, payment["id"], "CONFIRMED") for _ in range(6)),
        *(refund_callback(client, payment["id"], 30000) for _ in range(6)),
        *(refund_callback(client, payment["id"], TOTAL) for _ in range(6)),
        *(refund_callback(client, payment["id"], 70000) for _ in range(6)),
    )

    assert all(a == (200, "OK") for a in answers)
    row = await models.Payment.get(id=payment["id"])
    assert (row.status, row.refunded_amount) == (models.PaymentStatus.REFUNDED, Decimal("1300"))
    amounts = await models.PaymentRefund.filter(payment_id=row.id).values_list("amount", flat=True)
    assert sum(amounts) == Decimal("1300.00")
    assert await statement_lines(client, ivan) == (total_before, lines_before)


async def test_refund_of_more_than_was_paid_is_a_mismatch(client, ivan):
    payment = await create(client, ivan)
    await send_callback(client, payment["id"], "CONFIRMED")
    before = await snapshot()

    answer = await send_callback(
        client, payment["id"], "PARTIALLY_REFUNDED", refundedAmount=TOTAL + 1
    )

    assert answer[0] == 422
    assert await snapshot() == before
    assert await models.PaymentRefund.all().count() == 0
    event = await models.PaymentEvent.get(provider_status="PARTIALLY_REFUNDED")
    assert (event.outcome, event.dedupe_key) == ("mismatch", None)


async def test_refund_of_a_failed_payment_changes_nothing(client, ivan):
    payment = await create(client, ivan)
    await send_callback(client, payment["id"], "REJECTED")
    before = await snapshot()

    assert await refund_callback(client, payment["id"], TOTAL) == (200, "OK")

    assert await snapshot() == before
    assert await models.PaymentRefund.all().count() == 0


async def sandbox_refund(client, order_id: str, payload: dict) -> tuple[int, dict]:
    body = orjson.dumps(payload)
    secret = runtime(client).settings.sandbox_secret
    answer = await client.http.post(
        f"/sandbox/api/orders/{order_id}/refund",
        data=body,
        headers={SIGNATURE_HEADER: signature_header(secret, body)},
    )
    return answer.status, await answer.json()


async def wait_for_refunded(payment_id: str, amount: Decimal) -> models.Payment:
    for _ in range(250):
        row = await models.Payment.get(id=payment_id)
        if row.refunded_amount == amount:
            return row
        await asyncio.sleep(0.02)
    raise AssertionError(f"refunded {row.refunded_amount}, not {amount}")


async def test_sandbox_operator_refunds_part_then_the_rest(client, ivan):
    payment = await create(client, ivan, method="SBP")
    await pay_by_sbp(client, payment["sbpPayload"], "success")
    await wait_for_status(payment["id"], "SUCCEEDED")
    total_paid, _ = await statement_lines(client, ivan)
    order = await models.Payment.get(id=payment["id"])
    status = await client.subscribe(REFUND_STATUS, {"id": payment["id"]}, token=ivan)
    assert (await status.next())["payload"]["data"]["paymentStatus"]["refundedAmount"] == "0.00"

    part = await sandbox_refund(client, order.provider_payment_id, {"amount": 25025})
    pushed = await status.next()
    too_much = await sandbox_refund(client, order.provider_payment_id, {"amount": TOTAL})
    rest = await sandbox_refund(client, order.provider_payment_id, {})

    assert part[0] == 200 and part[1]["status"] == "PARTIALLY_REFUNDED"
    assert pushed["payload"]["data"]["paymentStatus"]["refundedAmount"] == "250.25"
    assert too_much[0] == 400
    assert rest[0] == 200 and (rest[1]["status"], rest[1]["refundedAmount"]) == ("REFUNDED", TOTAL)
    row = await wait_for_status(payment["id"], "REFUNDED")
    assert row.refunded_amount == Decimal("1300")
    pushed = await status.next()
    assert pushed["payload"]["data"]["paymentStatus"]["status"] == "REFUNDED"
    await status.close()
    assert (await statement_lines(client, ivan))[0] == total_paid + Decimal("1300.00")
    history = (await client.execute(HISTORY, {"number": IVAN_ACCOUNT}, token=ivan))["account"]
    node = next(e["node"] for e in history["payments"]["edges"] if e["node"]["id"] == payment["id"])
    assert (node["status"], node["refundedAmount"]) == ("REFUNDED", "1300.00")
    assert node["refundedAt"] is not None
    assert len(await refund_emails()) == 2


async def test_sandbox_refuses_to_refund_an_unpaid_order(client, ivan):
    payment = await create(client, ivan)
    order = await models.Payment.get(id=payment["id"])

    answer = await sandbox_refund(client, order.provider_payment_id, {})

    assert answer[0] == 409
    row = await models.Payment.get(id=payment["id"])
    assert (row.status, row.refunded_amount) == (models.PaymentStatus.PENDING, Decimal(0))
    assert (await client.execute(PAYMENT, {"id": payment["id"]}, token=ivan))["payment"]


async def test_payment_history_pdf_shows_what_was_kept_of_a_partly_refunded_payment(client, ivan):
    payment = await create(client, ivan)
    await send_callback(client, payment["id"], "CONFIRMED")
    await refund_callback(client, payment["id"], 10001)
    today = periods.local_today(runtime(client).settings.timezone).isoformat()

    link = await document_url(client, ivan, kind="PAYMENT_HISTORY", **{"from": today}, to=today)

    text = text_of(await fetch_pdf(client, link["url"]))
    assert "Личный кабинет" in text and "1199.99" in text
    assert "1300.00" not in text
