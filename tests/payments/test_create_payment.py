"""createPayment: validation, idempotency, the acquirer refusing; cancelPayment."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

import models
from sandbox_bank.models import SandboxOrder
from tests.payments.flows import CANCEL, CREATE, PETR_ACCOUNT, create, payment_input, send_callback


def codes(payload):
    return sorted((e["field"], e["code"]) for e in payload["errors"])


@pytest.mark.parametrize(
    "lines, field",
    [
        ([("ELECTRICITY", "0"), ("ELECTRICITY_COMMON", "0.00")], "input.lines"),
        ([("ELECTRICITY", "-5.00")], "input.lines.0.amount"),
        ([("ELECTRICITY", "10.00"), ("ELECTRICITY_COMMON", "10.001")], "input.lines.1.amount"),
        ([("ELECTRICITY", "100000.01")], "input.lines"),
        ([("ELECTRICITY", "60000"), ("ELECTRICITY_COMMON", "40000.01")], "input.lines"),
        ([("ELECTRICITY", "10.00"), ("GAS", "10.00")], "input.lines.1.serviceCode"),
        ([("ELECTRICITY", "10.00"), ("ELECTRICITY", "10.00")], "input.lines.1.serviceCode"),
        ([], "input.lines"),
    ],
    ids=[
        "all-zero",
        "negative",
        "three-decimals",
        "over-limit",
        "total-over-limit",
        "unknown-service",
        "service-twice",
        "no-lines",
    ],
)
async def test_invalid_amounts_are_refused(client, ivan, lines, field):
    data = await client.execute(CREATE, payment_input(lines=lines), token=ivan)

    payload = data["createPayment"]
    assert payload["payment"] is None
    assert codes(payload) == [(field, "AMOUNT_INVALID")]
    assert await models.Payment.filter(provider="sandbox").count() == 0


async def test_every_error_is_reported_at_once(client, ivan):
    variables = payment_input(
        lines=[("ELECTRICITY", "0.001")], confirmed=False, receiptEmail="not-an-email"
    )

    data = await client.execute(CREATE, variables, token=ivan)

    assert codes(data["createPayment"]) == [
        ("input.lines.0.amount", "AMOUNT_INVALID"),
        ("input.receiptEmail", "INVALID_INPUT"),
        ("input.totalConfirmed", "TOTAL_NOT_CONFIRMED"),
    ]
    assert await models.Payment.filter(provider="sandbox").count() == 0


async def test_foreign_account_is_not_found(client, ivan):
    data = await client.execute(CREATE, payment_input(account=PETR_ACCOUNT), token=ivan)

    assert codes(data["createPayment"]) == [("input.accountNumber", "NOT_FOUND")]
    assert await models.Payment.filter(provider="sandbox").count() == 0


async def test_anonymous_create_is_unauthenticated(client):
    data = await client.execute(CREATE, payment_input())

    assert [e["code"] for e in data["createPayment"]["errors"]] == ["UNAUTHENTICATED"]


async def test_payment_stores_lines_with_the_statement_amounts(client, ivan):
    payment = await create(client, ivan, receiptEmail="Copy@Example.ru")

    assert payment["receiptEmail"] == "Copy@example.ru"
    assert payment["accountNumber"] == "66200000000"
    assert [(x["service"]["code"], x["amount"]) for x in payment["lines"]] == [
        ("ELECTRICITY", "1200.50"),
        ("ELECTRICITY_COMMON", "99.50"),
    ]
    row = await models.Payment.get(id=payment["id"])
    assert (row.provider, row.status, row.user_id is not None) == ("sandbox", "PENDING", True)
    order = await SandboxOrder.get(order_id=payment["id"])
    assert (order.amount_kopecks, order.id) == (130000, row.provider_payment_id)


async def test_same_idempotency_key_returns_the_same_payment(client, ivan):
    first = await create(client, ivan, idempotencyKey="k-1")

    again = await create(client, ivan, idempotencyKey="k-1")
    racing = await asyncio.gather(
        *(client.execute(CREATE, payment_input(idempotencyKey="k-2"), token=ivan) for _ in range(5))
    )

    assert again["id"] == first["id"]
    ids = {r["createPayment"]["payment"]["id"] for r in racing}
    assert len(ids) == 1
    assert await models.Payment.filter(provider="sandbox").count() == 2
    assert await SandboxOrder.all().count() == 2


async def test_unreachable_acquirer_fails_the_payment(make_client):
    client = await make_client(public_url="http://127.0.0.1:9")  # nothing listens there
    ivan = await client.login("Ivan", "Ivan12345")

    data = await client.execute(CREATE, payment_input(), token=ivan)

    assert codes(data["createPayment"]) == [(None, "PROVIDER_ERROR")]
    row = await models.Payment.get(provider="sandbox")
    assert row.status == models.PaymentStatus.FAILED and row.failure_reason
    assert row.provider_payment_id is None


async def test_cancel_pending_payment(client, ivan):
    payment = await create(client, ivan)

    data = await client.execute(CANCEL, {"id": payment["id"]}, token=ivan)

    assert data["cancelPayment"]["errors"] == []
    assert data["cancelPayment"]["payment"]["status"] == "CANCELED"
    order = await SandboxOrder.get(order_id=payment["id"])
    assert order.status == "CANCELED"
    # The customer cannot pay a canceled order any more.
    answer = await client.http.post(
        "/sandbox/pay/" + order.id,
        data={"number": "4111111111111111", "expiry": "12/39", "cvc": "123"},
    )
    assert 'data-status="CANCELED"' in await answer.text()


async def test_cancel_of_a_finished_payment_is_refused(client, ivan):
    payment = await create(client, ivan)
    await send_callback(client, payment["id"], "CONFIRMED")

    data = await client.execute(CANCEL, {"id": payment["id"]}, token=ivan)

    assert codes(data["cancelPayment"]) == [("id", "PAYMENT_NOT_CANCELABLE")]
    row = await models.Payment.get(id=payment["id"])
    assert row.status == models.PaymentStatus.SUCCEEDED


async def test_cancel_of_a_foreign_payment_is_not_found(client, ivan, petr):
    payment = await create(client, ivan)

    data = await client.execute(CANCEL, {"id": payment["id"]}, token=petr)

    assert codes(data["cancelPayment"]) == [("id", "NOT_FOUND")]
    assert (await models.Payment.get(id=payment["id"])).status == models.PaymentStatus.PENDING


@pytest.mark.parametrize(
    "changed",
    [
        {"lines": [("ELECTRICITY", "1200.50"), ("ELECTRICITY_COMMON", "99.49")]},
        {"lines": [("ELECTRICITY", "1200.50")]},
        {"method": "SBP"},
        {"account": PETR_ACCOUNT},
    ],
    ids=["other-amount", "fewer-lines", "other-method", "other-account"],
)
async def test_same_idempotency_key_with_another_body_is_a_conflict(client, ivan, changed):
    first = await create(client, ivan, idempotencyKey="k-1")
    stored = await models.Payment.get(id=first["id"])

    data = await client.execute(CREATE, payment_input(**changed, idempotencyKey="k-1"), token=ivan)

    payload = data["createPayment"]
    assert codes(payload) == [("input.idempotencyKey", "IDEMPOTENCY_CONFLICT")]
    assert payload["payment"] is None and "ключ" in payload["errors"][0]["message"]
    assert await models.Payment.filter(provider="sandbox").count() == 1
    row = await models.Payment.get(id=first["id"])
    assert (row.amount, row.method, row.status, row.updated_at) == (
        stored.amount,
        stored.method,
        stored.status,
        stored.updated_at,
    )
    lines = await models.PaymentLine.filter(payment_id=row.id).values_list("amount", flat=True)
    assert sorted(lines) == [Decimal("99.50"), Decimal("1200.50")]
    assert await SandboxOrder.all().count() == 1


async def test_same_idempotency_key_with_zero_lines_added_is_the_same_request(client, ivan):
    first = await create(client, ivan, lines=[("ELECTRICITY", "100.00")], idempotencyKey="k")

    again = await create(
        client,
        ivan,
        lines=[("ELECTRICITY", "100.0"), ("ELECTRICITY_COMMON", "0.00")],
        idempotencyKey="k",
    )

    assert again["id"] == first["id"]
    assert await models.Payment.filter(provider="sandbox").count() == 1


async def test_thirty_racing_requests_with_one_key_make_one_payment(client, ivan):
    bodies = {
        "a": payment_input(lines=[("ELECTRICITY", "10.00")], idempotencyKey="race"),
        "b": payment_input(lines=[("ELECTRICITY", "20.00")], idempotencyKey="race"),
    }
    kinds = ["a", "b"] * 15

    answers = await asyncio.gather(
        *(client.execute(CREATE, bodies[kind], token=ivan) for kind in kinds)
    )

    payments = await models.Payment.filter(provider="sandbox")
    assert len(payments) == 1
    winner = "a" if payments[0].amount == Decimal("10.00") else "b"
    for kind, answer in zip(kinds, answers, strict=True):
        payload = answer["createPayment"]
        if kind == winner:
            assert payload["errors"] == [] and payload["payment"]["id"] == str(payments[0].id)
        else:
            assert codes(payload) == [("input.idempotencyKey", "IDEMPOTENCY_CONFLICT")]
    assert await SandboxOrder.all().count() == 1
