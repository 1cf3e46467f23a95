"""Attacks on paying without signing in that held (kept as regressions): odd numbers in the
amounts, a capability replayed on another payment, a capability holder signed in as somebody
else, the holder's socket across logout."""

from __future__ import annotations

import pytest

import models
from tests.public_payments.flows import CREATE_PUBLIC, FOLLOW, created, look_up, public_input
from tests.sessions.flows import Connection


@pytest.mark.parametrize(
    "amount",
    [
        "NaN",
        "-NaN",
        "sNaN",
        "Infinity",
        "-Infinity",
        "1e9",
        "1E+400",
        "-0",
        "-0.00",
        "0e5",
        "1e-9",
        "0.001",
        "99999999999999999999999999999.99",
    ],
)
async def test_odd_numbers_are_typed_errors_and_store_nothing(client, amount):
    """Either the Decimal scalar refuses the variable (a Russian INVALID_INPUT naming the field)
    or the payment's rules do (AMOUNT_INVALID in the payload): never a 500, nothing stored."""
    token = (await look_up(client))["payToken"]

    body = await client.post(CREATE_PUBLIC, public_input(token, lines=[("ELECTRICITY", amount)]))

    if body.get("errors"):
        [error] = body["errors"]
        assert error["extensions"]["code"] == "INVALID_INPUT"
        assert error["extensions"]["field"] == "input.lines.0.amount"
        assert "Число" in error["message"] or "число" in error["message"]
    else:
        payload = body["data"]["createPublicPayment"]
        assert payload["payment"] is None
        assert payload["errors"]
        assert all(e["code"] == "AMOUNT_INVALID" for e in payload["errors"])
    assert await models.Payment.filter(channel="site").count() == 0


async def test_a_capability_opens_its_own_payment_only(client):
    first = await created(client, (await look_up(client))["payToken"], key="a")
    second = await created(client, (await look_up(client))["payToken"], key="b")

    feed = await client.subscribe(
        FOLLOW, {"id": second["payment"]["id"], "capability": first["capability"]}
    )
    refused = await feed.next()
    await feed.close()

    assert refused["payload"].get("data") in (None, {"paymentStatus": None})
    assert refused["payload"]["errors"]


async def test_a_capability_holder_signed_in_as_another_user_sees_no_personal_data(client, petr):
    paid = await created(client, (await look_up(client))["payToken"])

    feed = await client.subscribe(
        FOLLOW, {"id": paid["payment"]["id"], "capability": paid["capability"]}, token=petr
    )
    seen = (await feed.next())["payload"]["data"]["paymentStatus"]
    await feed.close()

    assert seen["receiptEmail"] is None
    assert seen["accountNumber"] != "66200000000" and seen["accountNumber"].endswith("0000")


async def test_the_holders_socket_following_a_site_payment_closes_at_logout(client, ivan):
    paid = await created(client, (await look_up(client))["payToken"])
    socket, ack = await Connection.open(client, f"Bearer {ivan}")
    assert ack["type"] == "connection_ack"
    status = await socket.start(FOLLOW, {"id": paid["payment"]["id"]})
    first = (await socket.next(status))["payload"]["data"]["paymentStatus"]
    assert first["receiptEmail"] == "payer@example.ru"

    out = await client.execute("mutation { logout { ok } }", token=ivan)

    assert out["logout"]["ok"] is True
    assert await socket.closed(timeout=3) == 4401
