"""GraphQL documents and steps shared by the payments tests (the customer's and the bank's)."""

from __future__ import annotations

import asyncio
import re
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import models
from routes.keys import RUNTIME
from tests.graphql import GraphQLClient

IVAN_ACCOUNT = "66200000000"
PETR_ACCOUNT = "66200000001"

PAYMENT_FIELDS = """
id status amount method accountNumber confirmationUrl sbpPayload qrSvg failureReason paidAt
receiptEmail lines { amount charged service { code } }
"""

CREATE = f"""
mutation Create($input: CreatePaymentInput!) {{
  createPayment(input: $input) {{
    payment {{ {PAYMENT_FIELDS} }}
    errors {{ field code message }}
  }}
}}
"""

CANCEL = f"""
mutation Cancel($id: ID!) {{
  cancelPayment(id: $id) {{ payment {{ {PAYMENT_FIELDS} }} errors {{ field code message }} }}
}}
"""

PAYMENT = f"query Payment($id: ID!) {{ payment(id: $id) {{ {PAYMENT_FIELDS} }} }}"

STATUS = "subscription Status($id: ID!) { paymentStatus(id: $id) { id status paidAt } }"

ACCOUNT_FEED = """
subscription Feed($number: String!) { accountPayments(accountNumber: $number) { id status } }
"""

STATEMENT = """
query Statement($number: String!) {
  account(number: $number) {
    statement { totalToPay lines { service { code } paid toPay } }
  }
}
"""


def payment_input(
    method: str = "CARD",
    lines: list[tuple[str, str]] | None = None,
    *,
    account: str = IVAN_ACCOUNT,
    confirmed: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    if lines is None:
        lines = [("ELECTRICITY", "1200.50"), ("ELECTRICITY_COMMON", "99.50")]
    return {
        "input": {
            "accountNumber": account,
            "method": method,
            "lines": [{"serviceCode": code, "amount": amount} for code, amount in lines],
            "totalConfirmed": confirmed,
            **extra,
        }
    }


async def create(client: GraphQLClient, token: str, **kwargs: Any) -> dict[str, Any]:
    data = await client.execute(CREATE, payment_input(**kwargs), token=token)
    payload = data["createPayment"]
    assert payload["errors"] == [], payload
    assert payload["payment"]["status"] == "PENDING", payload
    return payload["payment"]


async def pay_by_card(client: GraphQLClient, url: str, number: str) -> str:
    """Drives the sandbox card page like a browser; returns the last page's HTML."""
    path = urlsplit(url).path
    page = await client.http.get(path)
    assert page.status == 200
    html = await page.text()
    assert 'name="number"' in html and 'name="cvc"' in html
    action = re.search(r'<form method="post" action="([^"]+)"', html).group(1)
    answer = await client.http.post(
        action, data={"number": number, "expiry": "12/39", "cvc": "123"}
    )
    html = await answer.text()
    code = re.search(r'id="code">(\d+)<', html)
    if code is None:
        return html
    action = re.search(r'<form method="post" action="([^"]+)"', html).group(1)
    answer = await client.http.post(action, data={"code": code.group(1)})
    return await answer.text()


async def pay_by_sbp(client: GraphQLClient, payload: str, outcome: str, **extra: Any) -> Any:
    answer = await client.http.post(
        "/sandbox/sbp/pay", json={"payload": payload, "outcome": outcome, **extra}
    )
    assert answer.status == 200, await answer.text()
    return await answer.json()


async def wait_for_status(payment_id: str, *statuses: str, timeout: float = 5) -> models.Payment:
    """Polls the database (short steps) until the payment reaches one of the statuses."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        row = await models.Payment.get(id=payment_id)
        if row.status.value in statuses:
            return row
        assert asyncio.get_running_loop().time() < deadline, f"still {row.status}"
        await asyncio.sleep(0.02)


async def statement_lines(client: GraphQLClient, token: str) -> tuple[Decimal, dict[str, tuple]]:
    data = await client.execute(STATEMENT, {"number": IVAN_ACCOUNT}, token=token)
    statement = data["account"]["statement"]
    lines = {
        line["service"]["code"]: (Decimal(line["paid"]), Decimal(line["toPay"]))
        for line in statement["lines"]
    }
    return Decimal(statement["totalToPay"]), lines


def runtime(client: GraphQLClient):
    return client.http.app[RUNTIME]


async def send_callback(
    client: GraphQLClient,
    payment_id: str,
    status: str,
    *,
    amount: int | None = None,
    secret: str | None = None,
    timestamp: int | None = None,
    **extra: Any,
) -> tuple[int, str]:
    """Posts a sandbox callback as the emulator would (signed with the sandbox secret); `extra`
    adds fields (refundedAmount)."""
    import orjson

    from adapters.acquirers.sandbox import SIGNATURE_HEADER, signature_header

    row = await models.Payment.get(id=payment_id)
    body = orjson.dumps(
        {
            "id": row.provider_payment_id,
            "orderId": payment_id,
            "status": status,
            "amount": int(row.amount * 100) if amount is None else amount,
            "method": "CARD",
            **extra,
        }
    )
    secret = secret or runtime(client).settings.sandbox_secret
    answer = await client.http.post(
        "/payments/callback/sandbox",
        data=body,
        headers={
            SIGNATURE_HEADER: signature_header(secret, body, timestamp),
            "Content-Type": "application/json",
        },
    )
    return answer.status, await answer.text()


async def snapshot() -> tuple:
    """What a callback could change: payments, statements and the outbox."""
    payments = [
        (p.id, p.status, p.paid_at) for p in await models.Payment.all().order_by("created_at")
    ]
    statements = [(s.id, s.total_to_pay) for s in await models.Statement.all().order_by("id")]
    lines = [(x.id, x.paid, x.to_pay) for x in await models.StatementLine.all().order_by("id")]
    return payments, statements, lines, await models.OutgoingMessage.all().count()
