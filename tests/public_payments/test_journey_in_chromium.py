"""Paying without signing in, in a real browser (headless Chromium driven by playwright-core,
tests/js/public-payment-journey.mjs): the debt look-up's pay token, createPublicPayment, the
sandbox acquirer's card page and 3-D Secure step, and the return page (opened before paying,
as the page that made the payment) following the status live by the capability alone; then the
holder's cabinet shows the payment from the site."""

from __future__ import annotations

import models
from tests.platform.test_js_clients import run_node
from tests.public_payments.flows import IVAN_ACCOUNT, RECEIPT_TO, history


async def test_paying_without_signing_in_in_chromium(client, ivan, node, chromium, tmp_path):
    base = str(client.http.make_url("")).rstrip("/")

    seen = await run_node(
        node,
        "public-payment-journey.mjs",
        base,
        chromium,
        str(tmp_path / "return-page.png"),
        timeout=120,
    )

    assert seen["errors"] == [] and "error" not in seen, seen
    # The page that made the payment was live while PENDING; the bank's callback turned it.
    assert seen["watching"] == "PENDING" and "Оплачено" in seen["pushed"]
    assert seen["problems"] == []  # no CSP violation, script error or outside request
    assert "/payments/return?" in seen["url"] and "capability=" in seen["url"]
    assert "50,00" in seen["text"] and "Оплачено" in seen["text"]
    assert IVAN_ACCOUNT not in seen["text"] and "Иванов" not in seen["text"]
    row = await models.Payment.get(id=seen["id"])
    assert row.status == models.PaymentStatus.SUCCEEDED and row.amount == 50
    assert row.channel == "site" and row.user_id is None
    nodes = [edge["node"] for edge in (await history(client, ivan))["payments"]["edges"]]
    assert nodes[0]["id"] == str(row.id) and nodes[0]["channel"] == "Сайт энергосбыта"
    assert await models.OutgoingMessage.filter(to=RECEIPT_TO).count() == 1
