"""createPayment with lines of 0.00: the apps send every service of the statement, and the
guide's own example pays 50,00 on «Электроэнергия» and 0,00 on «общее имущество»."""

from __future__ import annotations

from decimal import Decimal

import models
from sandbox_bank.models import SandboxOrder
from tests.payments.flows import CREATE, payment_input


async def test_zero_line_is_accepted_and_left_out_of_the_payment(client, ivan):
    variables = payment_input(lines=[("ELECTRICITY", "50.00"), ("ELECTRICITY_COMMON", "0.00")])

    data = await client.execute(CREATE, variables, token=ivan)

    payload = data["createPayment"]
    assert payload["errors"] == []
    payment = payload["payment"]
    assert payment["status"] == "PENDING"
    assert payment["amount"] == "50.00"
    assert [(x["service"]["code"], x["amount"]) for x in payment["lines"]] == [
        ("ELECTRICITY", "50.00")
    ]
    stored = await models.PaymentLine.filter(payment_id=payment["id"]).select_related("service")
    assert [(x.service.code, x.amount) for x in stored] == [("ELECTRICITY", Decimal("50.00"))]
    order = await SandboxOrder.get(order_id=payment["id"])
    assert order.amount_kopecks == 5000


async def test_only_zero_lines_are_refused(client, ivan):
    variables = payment_input(lines=[("ELECTRICITY", "0.00"), ("ELECTRICITY_COMMON", "0")])

    data = await client.execute(CREATE, variables, token=ivan)

    payload = data["createPayment"]
    assert payload["payment"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        ("input.lines", "AMOUNT_INVALID")
    ]
    assert await models.Payment.filter(provider="sandbox").count() == 0


async def test_negative_line_beside_a_zero_line_is_still_refused(client, ivan):
    variables = payment_input(lines=[("ELECTRICITY", "-1.00"), ("ELECTRICITY_COMMON", "0.00")])

    data = await client.execute(CREATE, variables, token=ivan)

    payload = data["createPayment"]
    assert payload["payment"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        ("input.lines.0.amount", "AMOUNT_INVALID")
    ]
    assert await models.Payment.filter(provider="sandbox").count() == 0
