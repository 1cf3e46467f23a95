"""createPublicPayment validates like createPayment (the one creation path) and requires the
receipt e-mail; every error is typed, Russian, and leaves nothing stored."""

from __future__ import annotations

import pytest

import models
from sandbox_bank.models import SandboxOrder
from tests.public_payments.flows import created, look_up, pay_public


async def _errors(client, **kwargs) -> list[tuple[str, str]]:
    token = (await look_up(client))["payToken"]
    payload = await pay_public(client, token, **kwargs)
    assert payload["payment"] is None
    assert all(e["message"] for e in payload["errors"])
    assert await models.Payment.filter(channel="site").count() == 0
    assert await models.SitePayment.all().count() == 0
    # A refused request takes nothing from the limits.
    assert await models.RateCounter.filter(key__startswith="sitepay:").count() == 0
    return [(e["code"], e["field"]) for e in payload["errors"]]


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({"email": ""}, [("REQUIRED", "input.receiptEmail")]),
        ({"email": "  "}, [("REQUIRED", "input.receiptEmail")]),
        ({"email": "not an e-mail"}, [("INVALID_INPUT", "input.receiptEmail")]),
        ({"email": "<script>@x.ru"}, [("INVALID_INPUT", "input.receiptEmail")]),
        ({"confirmed": False}, [("TOTAL_NOT_CONFIRMED", "input.totalConfirmed")]),
        ({"method": "OFFLINE"}, [("INVALID_INPUT", "input.method")]),
        ({"lines": [("GAS", "10.00")]}, [("AMOUNT_INVALID", "input.lines.0.serviceCode")]),
        ({"lines": [("ELECTRICITY", "-1")]}, [("AMOUNT_INVALID", "input.lines.0.amount")]),
        ({"lines": [("ELECTRICITY", "1.001")]}, [("AMOUNT_INVALID", "input.lines.0.amount")]),
        ({"lines": [("ELECTRICITY", "0.00")]}, [("AMOUNT_INVALID", "input.lines")]),
        ({"lines": [("ELECTRICITY", "100000.01")]}, [("AMOUNT_INVALID", "input.lines")]),
        (
            {"lines": [("ELECTRICITY", "1"), ("ELECTRICITY", "2")]},
            [("AMOUNT_INVALID", "input.lines.1.serviceCode")],
        ),
        ({"key": "k" * 129}, [("INVALID_INPUT", "input.idempotencyKey")]),
        ({"returnUrl": "https://evil.example/back"}, [("INVALID_INPUT", "input.returnUrl")]),
        ({"returnUrl": "javascript:alert(1)"}, [("INVALID_INPUT", "input.returnUrl")]),
    ],
)
async def test_invalid_requests_answer_typed_errors_and_store_nothing(client, kwargs, expected):
    assert await _errors(client, **kwargs) == expected


async def test_errors_are_answered_together(client):
    errors = await _errors(client, email="", confirmed=False, lines=[("GAS", "-1")])

    assert set(errors) == {
        ("REQUIRED", "input.receiptEmail"),
        ("TOTAL_NOT_CONFIRMED", "input.totalConfirmed"),
        ("AMOUNT_INVALID", "input.lines.0.serviceCode"),
        ("AMOUNT_INVALID", "input.lines.0.amount"),
    }


async def test_lines_of_zero_are_left_out_and_the_receipt_address_is_kept(client):
    token = (await look_up(client))["payToken"]

    payload = await created(
        client,
        token,
        lines=[("ELECTRICITY", "50,00"), ("ELECTRICITY_COMMON", "0.00")],
        email=" Payer@Example.RU ",
    )

    payment = payload["payment"]
    assert payment["amount"] == "50.00"
    assert [line["service"]["code"] for line in payment["lines"]] == ["ELECTRICITY"]
    row = await models.Payment.get(id=payment["id"])
    assert row.receipt_email == "Payer@example.ru" and row.user_id is None


async def test_the_site_s_own_return_page_gets_the_payment_and_its_capability(make_client):
    client = await make_client(allowed_origins=["https://site.example"])
    token = (await look_up(client))["payToken"]

    payload = await created(client, token, returnUrl="https://site.example/paid?from=debt")

    order = await SandboxOrder.get(order_id=payload["payment"]["id"])
    assert order.success_url == (
        f"https://site.example/paid?from=debt&paymentId={payload['payment']['id']}"
        f"&capability={payload['capability']}"
    )
