"""Payment.method and Payment.channel as the customer reads them: payments made at a bank or an
office (imported from billing) are OFFLINE with the bank's or office's name; cabinet payments
say «Личный кабинет»; createPayment refuses OFFLINE."""

from __future__ import annotations

import models
from services.integration import api_keys
from tests.graphql import GraphQLClient
from tests.payments.flows import CREATE, IVAN_ACCOUNT, create, payment_input

HISTORY = """
query History($number: String!) {
  account(number: $number) { payments(first: 100) { edges { node { id method channel } } } }
}
"""

IMPORT_PAYMENTS = """
mutation Import($items: [ExternalPaymentInput!]!) {
  importPayments(items: $items) { created refused items { reason } }
}
"""


async def history(client: GraphQLClient, token: str) -> dict[str, dict]:
    data = await client.execute(HISTORY, {"number": IVAN_ACCOUNT}, token=token)
    return {e["node"]["id"]: e["node"] for e in data["account"]["payments"]["edges"]}


async def test_payments_made_at_a_bank_or_office_are_offline_with_its_name(client, ivan):
    nodes = await history(client, ivan)

    assert nodes and {n["method"] for n in nodes.values()} == {"OFFLINE"}
    assert {n["channel"] for n in nodes.values()} == {"ПАО Сбербанк", "Касса АО «НТЭСК»"}


async def test_payment_imported_from_billing_is_offline(client, ivan):
    key = (await api_keys.create_key(name="billing", scopes=["billing"])).secret
    item = {
        "externalId": "post-1",
        "accountNumber": IVAN_ACCOUNT,
        "amount": "100.00",
        "channel": "Почта России",
        "paidAt": "2026-11-10T12:30:00+05:00",
        "lines": [{"serviceCode": "ELECTRICITY", "amount": "100.00"}],
    }
    integration = GraphQLClient(client.http, path="/integration/graphql")
    answer = await integration.post(
        IMPORT_PAYMENTS, {"items": [item]}, headers={"Authorization": f"ApiKey {key}"}
    )
    assert answer["data"]["importPayments"]["created"] == 1, answer

    imported = [n for n in (await history(client, ivan)).values() if n["channel"] == "Почта России"]

    assert [n["method"] for n in imported] == ["OFFLINE"]


async def test_cabinet_payment_channel_is_in_russian(client, ivan):
    payment = await create(client, ivan)

    data = await client.execute(
        "query P($id: ID!) { payment(id: $id) { method channel } }",
        {"id": payment["id"]},
        token=ivan,
    )

    assert data["payment"] == {"method": "CARD", "channel": "Личный кабинет"}


async def test_create_payment_refuses_offline(client, ivan):
    data = await client.execute(CREATE, payment_input(method="OFFLINE"), token=ivan)

    payload = data["createPayment"]
    assert payload["payment"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        ("input.method", "INVALID_INPUT")
    ]
    assert await models.Payment.filter(provider="sandbox").count() == 0
