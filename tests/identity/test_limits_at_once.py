"""Limits counted atomically (issue 12): codes a day under requests sent at once, a security
code used once whatever the concurrency, and one captcha image and one code sent per request
whatever the aliases."""

from __future__ import annotations

import asyncio

import pytest

import models
from server import create_app
from services.identity import captcha, verification
from tests.graphql import GraphQLClient
from tests.identity.flows import (
    BILL_TOTAL,
    BIND,
    CAPTCHA,
    CONFIRM,
    ERRORS,
    START,
    codes,
    new_account,
    outbox,
    registration_input,
    runtime,
)

PHONE = "+79123456726"
IVAN_PHONE = "+79999999999"
AT_ONCE = 30
REQUEST = f"""
mutation Request($contact: String!, $id: ID!, $answer: String!) {{
  requestPasswordReset(channel: PHONE, contact: $contact, captchaId: $id, captchaAnswer: $answer) {{
    ok {ERRORS}
  }}
}}
"""
ALIASED_CAPTCHAS = "{" + " ".join(f"c{i}: captcha {{ id }}" for i in range(AT_ONCE)) + "}"
ALIASED_REQUESTS = (
    "mutation {"
    + " ".join(
        f'r{i}: requestPasswordReset(channel: PHONE, contact: "{IVAN_PHONE}", captchaId: "x", '
        f'captchaAnswer: "x") {{ ok {ERRORS} }}'
        for i in range(AT_ONCE)
    )
    + "}"
)


@pytest.fixture
async def enabled(clean_database, make_settings, aiohttp_client) -> GraphQLClient:
    return GraphQLClient(await aiohttp_client(create_app(make_settings(captcha="enabled"))))


async def test_registrations_of_one_phone_at_once_send_three_codes_a_day(client):
    await new_account()
    ids = []
    for i in range(8):
        started = (await client.execute(START, {"input": registration_input(login=f"Sidor{i}")}))[
            "startRegistration"
        ]
        ids.append(started["registration"]["id"])
        await client.execute(BIND, {"id": ids[-1], "number": "66200000077"})

    answers = await asyncio.gather(*(client.execute(CONFIRM, {"id": i, "total": BILL_TOTAL}) for i in ids))

    payloads = [a["confirmBinding"] for a in answers]
    sent = [p for p in payloads if p["errors"] == []]
    assert len(sent) == verification.DAILY_LIMIT
    assert all(codes(p) == ["RATE_LIMITED"] for p in payloads if p["errors"])
    assert len(await outbox(client, PHONE)) == verification.DAILY_LIMIT
    assert await models.VerificationCode.filter(target=PHONE).count() == verification.DAILY_LIMIT
    confirmed = await models.Registration.exclude(binding_confirmed_at=None).count()
    assert confirmed == verification.DAILY_LIMIT


async def test_password_reset_requests_at_once_send_three_codes_a_day(client):
    answers = await asyncio.gather(
        *(
            client.execute(REQUEST, {"contact": IVAN_PHONE, "id": "x", "answer": "x"})
            for _ in range(AT_ONCE)
        )
    )

    # The same answer for everyone (nothing tells the limit), three codes.
    assert all(a["requestPasswordReset"] == {"ok": True, "errors": []} for a in answers)
    assert len(await outbox(client, IVAN_PHONE)) == verification.DAILY_LIMIT
    assert (
        await models.VerificationCode.filter(target=IVAN_PHONE).count() == verification.DAILY_LIMIT
    )


async def test_a_security_code_checked_thirty_times_at_once_is_accepted_once(enabled):
    view = await captcha.new_challenge(runtime(enabled), answer="K7MPX")

    answers = await asyncio.gather(
        *(
            enabled.execute(REQUEST, {"contact": IVAN_PHONE, "id": view.id, "answer": "K7MPX"})
            for _ in range(AT_ONCE)
        )
    )

    payloads = [a["requestPasswordReset"] for a in answers]
    assert sum(p["ok"] for p in payloads) == 1
    assert all(codes(p) == ["CAPTCHA_INVALID"] for p in payloads if not p["ok"])
    assert len(await outbox(enabled, IVAN_PHONE)) == 1


async def test_thirty_aliased_captchas_in_one_request_draw_one_image(client):
    body = await client.post(ALIASED_CAPTCHAS)

    # Before the fix: 30 images and 30 rows. Now the second alias is refused before drawing
    # anything; the field is non-null, so the answer is null and the first may be cut short.
    assert await models.CaptchaChallenge.all().count() <= 1
    assert body["data"] is None
    assert body["errors"] and {e["extensions"]["code"] for e in body["errors"]} == {"RATE_LIMITED"}
    single = (await client.execute(CAPTCHA))["captcha"]
    assert single["image"].startswith("data:image/png;base64,")


async def test_thirty_aliased_reset_requests_in_one_request_send_one_code(client):
    body = await client.post(ALIASED_REQUESTS)

    payloads = list(body["data"].values())
    assert payloads[0] == {"ok": True, "errors": []}
    assert all(codes(p) == ["RATE_LIMITED"] for p in payloads[1:])
    assert len(await outbox(client, IVAN_PHONE)) == 1


async def test_each_operation_on_one_websocket_gets_its_own_captcha(client):
    subscription = await client.subscribe(CAPTCHA)
    try:
        first = await subscription.next()
        await subscription.ws.send_json(
            {"id": "2", "type": "subscribe", "payload": {"query": CAPTCHA}}
        )
        while (second := await subscription.next())["type"] == "complete":
            pass
    finally:
        await subscription.close()

    # One context serves the whole connection: the budget is per operation, not per connection.
    assert first["type"] == second["type"] == "next"
    assert first["payload"]["data"]["captcha"]["id"] != second["payload"]["data"]["captcha"]["id"]
    assert await models.CaptchaChallenge.all().count() == 2
