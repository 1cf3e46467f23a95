"""Authorization matrix: for every operation that takes an account, a payment or a meter, a
second user's token gets nothing of the first user's (null, or a FORBIDDEN/NOT_FOUND error), and no
token gets nothing but the public operations. Nothing changes in the database either way."""

from __future__ import annotations

import uuid

import pytest

import models

IVAN_ACCOUNT = "66200000000"
IVAN_PAYMENT = str(uuid.uuid5(uuid.NAMESPACE_URL, "demo-payment-1"))
DENIED = {"NOT_FOUND", "FORBIDDEN", "UNAUTHENTICATED"}

QUERIES = {
    "account": (
        "query($n: String!) { account(number: $n) { number holderName } }",
        {"n": IVAN_ACCOUNT},
    ),
    "payment": ("query($id: ID!) { payment(id: $id) { id amount } }", {"id": IVAN_PAYMENT}),
}

DOCUMENT_URL = """
query($n: String!, $kind: DocumentKind!, $id: ID) {
  documentUrl(accountNumber: $n, kind: $kind, paymentId: $id) { url errors { code } }
}
"""

CHART_URL = """
query($n: String!, $format: ChartFormat) {
  consumptionChartUrl(accountNumber: $n, format: $format) { url errors { code } }
}
"""

MUTATIONS = {
    "previewReadings": (
        """mutation($n: String!, $r: [ReadingInput!]!) {
             previewReadings(accountNumber: $n, readings: $r) { preview { totalCost } errors { code } } }""",
        "preview",
    ),
    "submitReadings": (
        """mutation($n: String!, $r: [ReadingInput!]!) {
             submitReadings(accountNumber: $n, readings: $r) { readings { id } errors { code } } }""",
        "readings",
    ),
}

CREATE_PAYMENT = """
mutation($input: CreatePaymentInput!) { createPayment(input: $input) { payment { id } errors { code } } }
"""
CANCEL_PAYMENT = "mutation($id: ID!) { cancelPayment(id: $id) { payment { id } errors { code } } }"
SEND_DOCUMENT = """
mutation($n: String!) { sendPaymentDocument(accountNumber: $n, email: "x@example.ru") { ok errors { code } } }
"""
EBILL = "mutation($n: String!) { FIELD(accountNumber: $n) { ebill { enabled } errors { code } } }"
UNLINK = "mutation($n: String!) { unlinkAccount(accountNumber: $n) { ok errors { code } } }"
PUBLIC_METERS = (
    "query($n: String!) "
    '{ publicMeters(accountNumber: $n, captchaId: "none", captchaAnswer: "none") { serialNumber } }'
)


async def _snapshot() -> tuple[int, ...]:
    return (
        await models.Reading.all().count(),
        await models.Payment.all().count(),
        await models.OutgoingMessage.all().count(),
        await models.UserAccount.all().count(),
    )


async def _ivan_readings() -> list[dict]:
    meter = await models.Meter.get(serial_number="937060")
    return [
        {"meterId": str(meter.id), "zone": "DAY", "value": "4939"},
        {"meterId": str(meter.id), "zone": "NIGHT", "value": "5018"},
    ]


@pytest.fixture(params=["petr", "anonymous"])
async def intruder(request, client) -> str | None:
    if request.param == "anonymous":
        return None
    return await client.login("Petr", "Petr12345")


@pytest.mark.parametrize("name", sorted(QUERIES))
async def test_queries_answer_null(client, intruder, name):
    query, variables = QUERIES[name]
    data = await client.execute(query, variables, token=intruder)
    assert data[name] is None


@pytest.mark.parametrize(
    "kind",
    ["PAYMENT_HISTORY", "CHARGE_HISTORY", "READING_HISTORY", "PAYMENT_DOCUMENT", "PAYMENT_RECEIPT"],
)
async def test_document_links_are_refused(client, intruder, kind):
    variables = {
        "n": IVAN_ACCOUNT,
        "kind": kind,
        "id": IVAN_PAYMENT if kind == "PAYMENT_RECEIPT" else None,
    }
    data = await client.execute(DOCUMENT_URL, variables, token=intruder)
    assert data["documentUrl"]["url"] is None
    assert {e["code"] for e in data["documentUrl"]["errors"]} <= DENIED
    assert data["documentUrl"]["errors"]


@pytest.mark.parametrize("picture", ["SVG", "PNG"])
async def test_chart_links_are_refused(client, intruder, picture):
    data = await client.execute(CHART_URL, {"n": IVAN_ACCOUNT, "format": picture}, token=intruder)
    assert data["consumptionChartUrl"]["url"] is None
    assert {e["code"] for e in data["consumptionChartUrl"]["errors"]} <= DENIED
    assert data["consumptionChartUrl"]["errors"]


@pytest.mark.parametrize("name", sorted(MUTATIONS))
async def test_readings_mutations_are_refused(client, intruder, name):
    query, value_field = MUTATIONS[name]
    before = await _snapshot()
    data = (
        await client.execute(
            query, {"n": IVAN_ACCOUNT, "r": await _ivan_readings()}, token=intruder
        )
    )[name]
    assert not data[value_field]
    assert data["errors"] and {e["code"] for e in data["errors"]} <= DENIED
    assert await _snapshot() == before


async def test_readings_of_a_foreign_meter_on_an_own_account_are_refused(client):
    petr = await client.login("Petr", "Petr12345")
    before = await _snapshot()
    data = await client.execute(
        MUTATIONS["submitReadings"][0],
        {"n": "66200000001", "r": await _ivan_readings()},
        token=petr,
    )
    assert data["submitReadings"]["readings"] == []
    assert {e["code"] for e in data["submitReadings"]["errors"]} <= {
        "NOT_FOUND",
        "FORBIDDEN",
        "INVALID_INPUT",
        "REQUIRED",
    }
    assert await _snapshot() == before


async def test_create_payment_is_refused(client, intruder):
    before = await _snapshot()
    variables = {
        "input": {
            "accountNumber": IVAN_ACCOUNT,
            "method": "CARD",
            "lines": [{"serviceCode": "ELECTRICITY", "amount": "100.00"}],
            "totalConfirmed": True,
        }
    }
    data = (await client.execute(CREATE_PAYMENT, variables, token=intruder))["createPayment"]
    assert data["payment"] is None
    assert data["errors"] and {e["code"] for e in data["errors"]} <= DENIED
    assert await _snapshot() == before


async def test_cancel_payment_is_refused(client, intruder):
    before = await _snapshot()
    data = (await client.execute(CANCEL_PAYMENT, {"id": IVAN_PAYMENT}, token=intruder))[
        "cancelPayment"
    ]
    assert data["payment"] is None
    assert data["errors"] and {e["code"] for e in data["errors"]} <= DENIED
    assert await _snapshot() == before
    assert (await models.Payment.get(id=IVAN_PAYMENT)).status == models.PaymentStatus.SUCCEEDED


async def test_send_payment_document_is_refused(client, intruder):
    before = await _snapshot()
    data = (await client.execute(SEND_DOCUMENT, {"n": IVAN_ACCOUNT}, token=intruder))[
        "sendPaymentDocument"
    ]
    assert data["ok"] is False
    assert data["errors"] and {e["code"] for e in data["errors"]} <= DENIED
    assert await _snapshot() == before


async def test_unlink_of_a_foreign_account_is_refused(client, intruder):
    before = await _snapshot()
    data = (await client.execute(UNLINK, {"n": IVAN_ACCOUNT}, token=intruder))["unlinkAccount"]
    assert data["ok"] is False
    assert data["errors"] and {e["code"] for e in data["errors"]} <= DENIED
    assert await _snapshot() == before


@pytest.mark.parametrize("field", ["enableEbill", "disableEbill"])
async def test_electronic_bill_of_a_foreign_account_is_refused(client, intruder, field):
    ivan = await client.login("Ivan", "Ivan12345")
    await client.execute(EBILL.replace("FIELD", "enableEbill"), {"n": IVAN_ACCOUNT}, token=ivan)
    before = await _snapshot(), await models.EbillSubscription.all().values_list("active", "email")

    query = EBILL.replace("FIELD", field)
    data = (await client.execute(query, {"n": IVAN_ACCOUNT}, token=intruder))[field]

    assert data["ebill"] is None
    assert data["errors"] and {e["code"] for e in data["errors"]} <= DENIED
    after = await _snapshot(), await models.EbillSubscription.all().values_list("active", "email")
    assert after == before


async def test_public_meters_only_where_the_holder_allows_them(client):
    # Petr allows readings without signing in; Ivan does not.
    allowed = await client.execute(PUBLIC_METERS, {"n": "66200000001"})
    assert allowed["publicMeters"] == [{"serialNumber": "…345"}]
    refused = await client.execute(PUBLIC_METERS, {"n": IVAN_ACCOUNT})
    assert refused["publicMeters"] is None


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("subscription($id: ID!) { paymentStatus(id: $id) { id status } }", {"id": IVAN_PAYMENT}),
        (
            "subscription($n: String!) { accountPayments(accountNumber: $n) { id status } }",
            {"n": IVAN_ACCOUNT},
        ),
    ],
)
async def test_subscriptions_to_foreign_payments_and_accounts_are_refused(client, query, variables):
    petr = await client.login("Petr", "Petr12345")
    subscription = await client.subscribe(query, variables, token=petr)
    try:
        message = await subscription.next()
        assert message["type"] in ("error", "next")
        if message["type"] == "next":
            assert message["payload"].get("errors"), message
            assert not message["payload"].get("data")
        else:
            assert message["payload"]
    finally:
        await subscription.close()
