"""What the link pages' tests share: the GraphQL documents, the steps that make the server send
each link, reading the link from GET /dev/outbox, and running a journey in headless Chromium."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import models
from tests.graphql import GraphQLClient
from tests.identity.flows import (
    BILL_TOTAL,
    BIND,
    CONFIRM,
    START,
    new_account,
    registration_input,
    runtime,
)
from tests.platform.test_js_clients import run_node

NEW_EMAIL = "sidor.sidorov@example.ru"
IVAN_EMAIL = "ivanov@ivan.ru"
IVAN_NEW_EMAIL = "ivan.new@example.ru"
ERRORS = "errors { field code message }"

ACTIVATE = f"""
mutation Activate($token: String!) {{
  activateEmail(token: $token) {{ accessToken user {{ login }} {ERRORS} }}
}}
"""
REQUEST_RESET = f"""
mutation Request($contact: String!) {{
  requestPasswordReset(channel: EMAIL, contact: $contact, captchaId: "x", captchaAnswer: "x") {{
    ok {ERRORS}
  }}
}}
"""
VERIFY = f"""
mutation Verify($contact: String!, $code: String!) {{
  verifyPasswordReset(contact: $contact, code: $code) {{ resetToken logins {ERRORS} }}
}}
"""
CHANGE_EMAIL = f"""
mutation Change($email: String!, $current: String!) {{
  changeEmail(email: $email, currentPassword: $current) {{ ok {ERRORS} }}
}}
"""
CONFIRM_EMAIL = f"""
mutation ConfirmEmail($token: String!) {{
  confirmEmail(token: $token) {{ user {{ login email emailConfirmed }} {ERRORS} }}
}}
"""


async def send_activation_link(client: GraphQLClient) -> str:
    """Steps 1–3 of a registration by e-mail; answers the link from the outbox."""
    await new_account()
    data = await client.execute(
        START, {"input": registration_input(channel="EMAIL", phone=None, email=NEW_EMAIL)}
    )
    assert data["startRegistration"]["errors"] == [], data
    registration_id = data["startRegistration"]["registration"]["id"]
    bound = await client.execute(BIND, {"id": registration_id, "number": "66200000077"})
    assert bound["bindAccount"]["errors"] == [], bound
    confirmed = await client.execute(CONFIRM, {"id": registration_id, "total": BILL_TOTAL})
    assert confirmed["confirmBinding"]["errors"] == [], confirmed
    return await last_link(client, NEW_EMAIL)


async def second_login_on_ivans_email(client: GraphQLClient) -> None:
    await models.User.create(
        login="Ivanova",
        login_key="ivanova",
        password_hash=runtime(client).passwords.hash("Ivanova-1"),
        email=IVAN_EMAIL,
        email_confirmed=True,
    )


async def send_recovery_link(client: GraphQLClient) -> str:
    asked = await client.execute(REQUEST_RESET, {"contact": IVAN_EMAIL})
    assert asked["requestPasswordReset"] == {"ok": True, "errors": []}
    return await last_link(client, IVAN_EMAIL)


async def send_confirmation_link(client: GraphQLClient, token: str) -> str:
    changed = await client.execute(
        CHANGE_EMAIL, {"email": IVAN_NEW_EMAIL, "current": "Ivan12345"}, token=token
    )
    assert changed["changeEmail"] == {"ok": True, "errors": []}
    return await last_link(client, IVAN_NEW_EMAIL)


async def last_link(client: GraphQLClient, to: str) -> str:
    """The link in the newest e-mail to `to`, as the person would click it."""
    response = await client.http.get("/dev/outbox", params={"to": to})
    assert response.status == 200
    messages = await response.json()
    assert messages and messages[0]["channel"] == "email", messages
    found = re.search(r"(https?://\S+)", messages[0]["body"])
    assert found, messages[0]["body"]
    return found.group(1)


def query_of(link: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}


async def browse(
    node: str, chromium: str, journey: str, link: str, screenshot: Path, **options: Any
) -> dict[str, Any]:
    """Runs tests/js/links.mjs: one journey of a person (or a mail scanner) in Chromium."""
    return await run_node(
        node,
        "links.mjs",
        journey,
        link,
        chromium,
        str(screenshot),
        json.dumps(options),
        timeout=120,
    )
