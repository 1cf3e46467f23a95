"""Paying by SBP: the NSPK link and its QR code, the customer's bank app paying or rejecting."""

from __future__ import annotations

import io
import re

import segno
import zxingcpp
from PIL import Image

import models
from tests.payments.flows import PAYMENT, STATUS, create, pay_by_sbp, wait_for_status

NSPK = re.compile(
    r"^https://qr\.nspk\.ru/[A-Z0-9]{32}\?type=02&bank=\d{12}&sum=(\d+)&cur=RUB&crc=[0-9A-F]{4}$"
)


async def test_sbp_payment_succeeds_and_is_pushed(client, ivan):
    payment = await create(client, ivan, method="SBP")
    link = NSPK.match(payment["sbpPayload"])
    assert link and link.group(1) == "130000"
    assert payment["confirmationUrl"] is None
    assert payment["qrSvg"].startswith("<svg")
    status = await client.subscribe(STATUS, {"id": payment["id"]}, token=ivan)
    assert (await status.next())["payload"]["data"]["paymentStatus"]["status"] == "PENDING"

    await pay_by_sbp(client, payment["sbpPayload"], "success")

    pushed = await status.next()
    assert pushed["payload"]["data"]["paymentStatus"]["status"] == "SUCCEEDED"
    data = await client.execute(PAYMENT, {"id": payment["id"]}, token=ivan)
    assert data["payment"]["status"] == "SUCCEEDED"
    assert data["payment"]["qrSvg"] is None  # nothing left to scan
    await status.close()


async def test_sbp_payment_rejected_in_the_bank_app_fails(client, ivan):
    payment = await create(client, ivan, method="SBP")
    status = await client.subscribe(STATUS, {"id": payment["id"]}, token=ivan)
    await status.next()

    await pay_by_sbp(client, payment["sbpPayload"], "reject")

    pushed = await status.next()
    assert pushed["payload"]["data"]["paymentStatus"]["status"] == "FAILED"
    row = await wait_for_status(payment["id"], "FAILED")
    assert row.paid_at is None
    await status.close()


async def test_rejected_sbp_payment_fails_in_sbp_words_not_a_card_s(client, ivan):
    payment = await create(client, ivan, method="SBP")

    await pay_by_sbp(client, payment["sbpPayload"], "reject")

    row = await wait_for_status(payment["id"], "FAILED")
    assert row.failure_reason == "Оплата по СБП отклонена банком."
    data = await client.execute(PAYMENT, {"id": payment["id"]}, token=ivan)
    assert data["payment"]["failureReason"] == "Оплата по СБП отклонена банком."
    assert "Карта" not in data["payment"]["failureReason"]


async def test_sbp_qr_code_encodes_the_link(client, ivan):
    payment = await create(client, ivan, method="SBP")
    qr = segno.make(payment["sbpPayload"], error="m")
    png = io.BytesIO()
    qr.save(png, kind="png", scale=4)
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.getvalue())))
    assert [d.text for d in decoded] == [payment["sbpPayload"]]
    assert payment["qrSvg"] == qr.svg_inline(scale=4)


async def test_sbp_link_paid_twice_is_refused_the_second_time(client, ivan):
    payment = await create(client, ivan, method="SBP")
    await pay_by_sbp(client, payment["sbpPayload"], "success")

    again = await client.http.post(
        "/sandbox/sbp/pay", json={"payload": payment["sbpPayload"], "outcome": "reject"}
    )

    assert again.status == 409
    row = await wait_for_status(payment["id"], "SUCCEEDED")
    assert row.status == models.PaymentStatus.SUCCEEDED
