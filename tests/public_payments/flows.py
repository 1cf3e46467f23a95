"""GraphQL documents and steps shared by the tests of paying without signing in: the debt
look-up that gives a pay token, and createPublicPayment."""

from __future__ import annotations

from typing import Any

import aiohttp

from tests.graphql import GraphQLClient

IVAN_ACCOUNT = "66200000000"
PETR_ACCOUNT = "66200000001"
RECEIPT_TO = "payer@example.ru"

DEBT = """
query Debt($number: String!) {
  debt(accountNumber: $number, captchaId: "none", captchaAnswer: "none") {
    debt { totalToPay payToken payTokenExpiresAt lines { service { code } toPay } }
    errors { code field message }
  }
}
"""

PAYMENT_FIELDS = """
id status amount method channel accountNumber receiptEmail confirmationUrl sbpPayload
lines { amount service { code } }
"""

CREATE_PUBLIC = f"""
mutation Pay($input: CreatePublicPaymentInput!) {{
  createPublicPayment(input: $input) {{
    payment {{ {PAYMENT_FIELDS} }}
    capability
    errors {{ field code message }}
  }}
}}
"""

FOLLOW = """
subscription Follow($id: ID!, $capability: String) {
  paymentStatus(id: $id, capability: $capability) {
    id status amount paidAt channel receiptEmail accountNumber
  }
}
"""

HISTORY = """
query History($number: String!) {
  account(number: $number) {
    payments(first: 10) { edges { node { id status amount channel method } } }
    statement { totalToPay lines { service { code } paid toPay } }
  }
}
"""


async def look_up(client: GraphQLClient, number: str = IVAN_ACCOUNT) -> dict[str, Any]:
    """A debt look-up that must succeed: the debt with its pay token."""
    data = await client.execute(DEBT, {"number": number})
    assert data["debt"]["errors"] == [], data
    return data["debt"]["debt"]


def public_input(
    token: str,
    method: str = "CARD",
    lines: list[tuple[str, str]] | None = None,
    *,
    key: str = "site-1",
    confirmed: bool = True,
    email: str | None = RECEIPT_TO,
    **extra: Any,
) -> dict[str, Any]:
    if lines is None:
        lines = [("ELECTRICITY", "169.95"), ("ELECTRICITY_COMMON", "102.14")]
    return {
        "input": {
            "payToken": token,
            "method": method,
            "lines": [{"serviceCode": code, "amount": amount} for code, amount in lines],
            "totalConfirmed": confirmed,
            "receiptEmail": email,
            "idempotencyKey": key,
            **extra,
        }
    }


async def pay_public(client: GraphQLClient, token: str, **kwargs: Any) -> dict[str, Any]:
    """createPublicPayment's payload (payment, capability, errors), whatever it answered."""
    data = await client.execute(CREATE_PUBLIC, public_input(token, **kwargs))
    return data["createPublicPayment"]


async def created(client: GraphQLClient, token: str, **kwargs: Any) -> dict[str, Any]:
    payload = await pay_public(client, token, **kwargs)
    assert payload["errors"] == [], payload
    assert payload["payment"]["status"] == "PENDING", payload
    return payload


async def post_from(
    client: GraphQLClient, source: str, query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    """The same GraphQL request from another address (the loopback 127.0.0.x of another
    device): a real TCP connection whose source address the server sees."""
    url = str(client.http.make_url(client.path))
    connector = aiohttp.TCPConnector(local_addr=(source, 0))
    async with aiohttp.ClientSession(connector=connector) as session:
        async with session.post(url, json={"query": query, "variables": variables}) as answer:
            assert answer.status == 200
            body = await answer.json()
    assert not body.get("errors"), body
    return body["data"]


async def history(client: GraphQLClient, token: str, number: str = IVAN_ACCOUNT) -> dict:
    data = await client.execute(HISTORY, {"number": number}, token=token)
    return data["account"]
