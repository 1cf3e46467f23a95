"""GraphQL documents and steps the electronic-bill tests share."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import models
from devdata.demo import IVAN_ACCOUNT
from services.ebill import subscriptions
from tests.ebill.conftest import body_of
from tests.graphql import GraphQLClient
from tests.integration.conftest import IntegrationClient

ERRORS = "errors { field code message }"
EBILL = "ebill { enabled email since source }"

ENABLE = f"""
mutation($n: String!) {{ enableEbill(accountNumber: $n) {{ {EBILL} {ERRORS} }} }}
"""
DISABLE = f"""
mutation($n: String!) {{ disableEbill(accountNumber: $n) {{ {EBILL} {ERRORS} }} }}
"""
ACCOUNT_EBILL = f"query($n: String!) {{ account(number: $n) {{ number {EBILL} }} }}"
REQUEST = f"""
mutation($n: String!, $total: Decimal!, $email: String!) {{
  requestEbill(
    accountNumber: $n, billTotal: $total, email: $email, captchaId: "x", captchaAnswer: "x"
  ) {{
    ok {ERRORS}
  }}
}}
"""
CONFIRM = f"""
mutation($token: String!) {{ confirmEbill(token: $token) {{ accountNumber email {ERRORS} }} }}
"""
STOP = f"""
mutation($token: String!) {{
  disableEbillByLink(token: $token) {{ accountNumber email {ERRORS} }}
}}
"""
IMPORT_STATEMENTS = """
mutation Import($items: [StatementInput!]!) {
  importStatements(items: $items) { created updated unchanged refused }
}
"""
PAPERLESS = """
query($after: Int! = 0, $first: Int! = 1000, $since: DateTime) {
  paperlessAccounts(afterId: $after, first: $first, changedSince: $since) {
    accounts { id accountNumber paperless since changedAt } errors { code }
  }
}
"""


def statement(period: str, total: str = "164.40", *, account: str = IVAN_ACCOUNT) -> dict:
    return {
        "accountNumber": account,
        "period": period,
        "totalToPay": total,
        "lines": [
            {
                "serviceCode": "ELECTRICITY",
                "tariff": "5.39",
                "balance": "0",
                "paid": "0",
                "volume": "30.5",
                "charged": total,
                "recalculation": "0",
                "toPay": total,
            }
        ],
    }


async def import_statements(
    integration: IntegrationClient, key: str, *items: dict
) -> dict[str, Any]:
    data = await integration.execute(IMPORT_STATEMENTS, {"items": list(items)}, key=key)
    return data["importStatements"]


async def enable(client: GraphQLClient, token: str, number: str = IVAN_ACCOUNT) -> dict:
    return (await client.execute(ENABLE, {"n": number}, token=token))["enableEbill"]


async def latest_total(number: str) -> str:
    """«Итого к оплате» of the account's newest statement: what its holder reads on the bill."""
    row = await models.Statement.filter(account__number=number).order_by("-period").first()
    assert row is not None, number
    return str(row.total_to_pay)


async def request(
    client: GraphQLClient, number: str, address: str, total: str | None = None
) -> dict:
    """requestEbill with `total`, by default the proof the account's holder has."""
    if total is None:
        total = await latest_total(number)
    variables = {"n": number, "total": total, "email": address}
    return (await client.execute(REQUEST, variables))["requestEbill"]


def link_in(body: str, path: str) -> str:
    """The link to `path` in an e-mail's text."""
    found = re.search(rf"https?://\S+{re.escape(path)}\?token=\S+", body)
    assert found, body
    return found.group(0)


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


def path_of(link: str) -> str:
    """The link's path and query, to open it with the test client."""
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


async def stop_token_of_first_bill(
    client: GraphQLClient, integration: IntegrationClient, key: str, mailbox: Any, address: str
) -> tuple[str, str]:
    """Ivan opts in from the cabinet and his bill of January 2027 is imported and e-mailed to
    `address`: his access token and the opt-out link's token from that e-mail."""
    ivan = await client.login("Ivan", "Ivan12345")
    await enable(client, ivan)
    await import_statements(integration, key, statement("2027-01-01"))
    [message] = await mailbox.wait_for(1, address=address)
    return ivan, token_of(link_in(body_of(message), subscriptions.STOP_PATH))
