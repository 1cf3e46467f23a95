"""GraphQL documents and steps shared by the identity tests; codes and links are read from
GET /dev/outbox, as a developer would."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import models
from infra.runtime import Runtime
from routes.keys import RUNTIME
from services import periods
from tests.graphql import GraphQLClient

ERRORS = "errors { field code message }"
REGISTRATION = f"registration {{ id channel address accountNumber sentTo codesLeftToday }} {ERRORS}"

START = f"""
mutation Start($input: StartRegistrationInput!) {{
  startRegistration(input: $input) {{ {REGISTRATION} }}
}}
"""
BIND = f"""
mutation Bind($id: ID!, $number: String!) {{
  bindAccount(registrationId: $id, accountNumber: $number) {{ {REGISTRATION} }}
}}
"""
CONFIRM = f"""
mutation Confirm($id: ID!, $total: Decimal!) {{
  confirmBinding(registrationId: $id, billTotal: $total) {{ {REGISTRATION} }}
}}
"""
RESEND = f"""
mutation Resend($id: ID!) {{ resendRegistrationCode(registrationId: $id) {{ {REGISTRATION} }} }}
"""
AUTH = f"accessToken refreshToken user {{ login phone phoneConfirmed email emailConfirmed city accounts {{ number }} }} {ERRORS}"
COMPLETE = f"""
mutation Complete($id: ID!, $code: String!) {{
  completeRegistration(registrationId: $id, code: $code) {{ {AUTH} }}
}}
"""
ACTIVATE = f"""
mutation Activate($token: String!) {{ activateEmail(token: $token) {{ {AUTH} }} }}
"""
CAPTCHA = "{ captcha { id image expiresAt } }"
ME = "{ me { login email emailConfirmed phone phoneConfirmed accounts { number } } }"

NEW_ACCOUNT = "66200000077"
NEW_ACCOUNT_ADDRESS = "г Нижний Тагил, ул Газетная, д. 7, кв. 3"
# What bindAccount shows before the bill is proven: the city and street.
NEW_ACCOUNT_STREET = "г Нижний Тагил, ул Газетная"
# «Итого к оплате» of the bills new_account makes, newest first; the last three prove the bill.
BILL_TOTALS = ("512.30", "498.10", "455.75", "401.00")
BILL_TOTAL = BILL_TOTALS[0]


def runtime(client: GraphQLClient) -> Runtime:
    return client.http.server.app[RUNTIME]


async def new_account(
    number: str = NEW_ACCOUNT, region: str = "66", bills: tuple[str, ...] = BILL_TOTALS
) -> models.Account:
    """An account nobody registered yet (the demo accounts both have holders), with monthly
    bills totalling `bills`, the newest (last month) first."""
    account = await models.Account.create(
        number=number,
        holder_name="Сидоров Сидор Сидорович",
        address=NEW_ACCOUNT_ADDRESS,
        city="Нижний Тагил",
        region=region,
    )
    current = periods.current_period("Asia/Yekaterinburg")
    for months_ago, total in enumerate(bills, start=1):
        await models.Statement.create(
            account=account,
            period=periods.add_months(current, -months_ago),
            total_to_pay=Decimal(total),
        )
    return account


def registration_input(**overrides: Any) -> dict[str, Any]:
    values = {
        "login": "Sidor",
        "password": "Sidor-pass-1",
        "passwordRepeat": "Sidor-pass-1",
        "channel": "PHONE",
        "phone": "8 (912) 345-67-26",
        "email": None,
        "city": "Нижний Тагил",
        "captchaId": "00000000-0000-0000-0000-000000000000",
        "captchaAnswer": "any",
        "consentToPersonalData": True,
    }
    values.update(overrides)
    return values


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["errors"]]


async def outbox(client: GraphQLClient, to: str | None = None) -> list[dict[str, Any]]:
    response = await client.http.get("/dev/outbox", params={"to": to} if to else None)
    assert response.status == 200
    return await response.json()


async def last_code(client: GraphQLClient, to: str) -> str:
    messages = await outbox(client, to)
    assert messages, f"nothing was sent to {to}"
    assert messages[0]["channel"] == "sms"
    found = re.search(r"\b(\d{4})\b", messages[0]["body"])
    assert found, messages[0]["body"]
    return found.group(1)


async def last_link(client: GraphQLClient, to: str) -> tuple[str, dict[str, str]]:
    """The link in the newest e-mail to `to`: its path and query parameters."""
    messages = await outbox(client, to)
    assert messages, f"nothing was sent to {to}"
    assert messages[0]["channel"] == "email"
    found = re.search(r"(https?://\S+)", messages[0]["body"])
    assert found, messages[0]["body"]
    url = urlsplit(found.group(1))
    assert f"{url.scheme}://{url.netloc}" == "http://lk.test"
    return url.path, {k: v[0] for k, v in parse_qs(url.query).items()}


async def start_phone_registration(
    client: GraphQLClient, number: str = NEW_ACCOUNT, **overrides: Any
) -> str:
    """Steps 1–3 by phone; answers the registration id (the code is in the outbox)."""
    data = await client.execute(START, {"input": registration_input(**overrides)})
    assert data["startRegistration"]["errors"] == []
    registration_id = data["startRegistration"]["registration"]["id"]
    bound = await client.execute(BIND, {"id": registration_id, "number": number})
    assert bound["bindAccount"]["errors"] == []
    confirmed = await client.execute(CONFIRM, {"id": registration_id, "total": BILL_TOTAL})
    assert confirmed["confirmBinding"]["errors"] == []
    return registration_id
