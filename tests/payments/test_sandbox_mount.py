"""The acquirer emulator (sandbox_bank) is served only with the sandbox provider, at the same
URLs as before it moved out of routes/ and services/."""

from __future__ import annotations

import orjson

from adapters.acquirers.sandbox import SIGNATURE_HEADER, signature_header
from sandbox_bank.models import SandboxOrder
from tests.payments.flows import runtime

ORDER = {
    "orderId": "order-1",
    "method": "CARD",
    "amount": 1500,
    "notificationUrl": "http://127.0.0.1:1/payments/callback/sandbox",
}


async def test_sandbox_provider_serves_the_emulator_at_its_urls(client):
    secret = runtime(client).settings.sandbox_secret
    body = orjson.dumps(ORDER)

    unsigned = await client.http.post("/sandbox/api/orders", data=body)
    signed = await client.http.post(
        "/sandbox/api/orders", data=body, headers={SIGNATURE_HEADER: signature_header(secret, body)}
    )

    assert unsigned.status == 403
    assert signed.status == 200
    opened = await signed.json()
    assert opened["confirmationUrl"].endswith(f"/sandbox/pay/{opened['id']}")
    page = await client.http.get(f"/sandbox/pay/{opened['id']}")
    assert page.status == 200
    assert "Оплатить" in await page.text()
    assert await SandboxOrder.filter(order_id="order-1").count() == 1


async def test_other_providers_do_not_serve_the_emulator(make_client):
    client = await make_client(
        payment_provider="tbank", tbank_terminal_key="TerminalKey", tbank_password="password"
    )
    secret = runtime(client).settings.sandbox_secret
    body = orjson.dumps(ORDER)

    api = await client.http.post(
        "/sandbox/api/orders", data=body, headers={SIGNATURE_HEADER: signature_header(secret, body)}
    )
    pay = await client.http.post("/sandbox/sbp/pay", data=b"{}")

    assert (api.status, pay.status) == (404, 404)
    assert await SandboxOrder.all().count() == 0
