"""The security code: an image, single use, checked case-insensitively when enabled.

The answer cannot be read from the picture by a test, and only its hash is stored. The tests
create challenges with a known answer through the service function (services.captcha.
new_challenge(answer=...)), which the GraphQL resolver never calls with an answer.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

import models
from server import create_app
from services.identity import captcha
from tests.graphql import GraphQLClient
from tests.identity.flows import CAPTCHA, START, codes, registration_input, runtime

REQUEST_RESET = """
mutation Reset($id: ID!, $answer: String!) {
  requestPasswordReset(channel: PHONE, contact: "+79999999999", captchaId: $id, captchaAnswer: $answer) {
    ok errors { field code message }
  }
}
"""


@pytest.fixture
async def enabled(clean_database, make_settings, aiohttp_client) -> GraphQLClient:
    app = create_app(make_settings(captcha="enabled"))
    return GraphQLClient(await aiohttp_client(app))


async def test_captcha_is_a_png_whose_answer_is_stored_hashed(enabled):
    data = (await enabled.execute(CAPTCHA))["captcha"]
    prefix = "data:image/png;base64,"
    assert data["image"].startswith(prefix)
    assert base64.b64decode(data["image"].removeprefix(prefix))[:8] == b"\x89PNG\r\n\x1a\n"
    expires = datetime.fromisoformat(data["expiresAt"])
    assert timedelta(minutes=9) < expires - datetime.now(UTC) <= timedelta(minutes=10)
    row = await models.CaptchaChallenge.get(id=data["id"])
    assert len(row.answer_hash) == 64 and row.used_at is None


async def test_wrong_answer_is_refused_and_uses_the_challenge_up(enabled):
    view = await captcha.new_challenge(runtime(enabled), answer="K7MPX")
    wrong = (
        await enabled.execute(
            START, {"input": registration_input(captchaId=view.id, captchaAnswer="XXXXX")}
        )
    )["startRegistration"]
    assert [(e["field"], e["code"]) for e in wrong["errors"]] == [
        ("input.captchaAnswer", "CAPTCHA_INVALID")
    ]
    # The right answer no longer helps: one guess per picture.
    again = (
        await enabled.execute(
            START, {"input": registration_input(captchaId=view.id, captchaAnswer="K7MPX")}
        )
    )["startRegistration"]
    assert codes(again) == ["CAPTCHA_INVALID"]
    assert await models.Registration.all().count() == 0


async def test_right_answer_in_any_case_once(enabled):
    view = await captcha.new_challenge(runtime(enabled), answer="K7MPX")
    ok = (
        await enabled.execute(
            START, {"input": registration_input(captchaId=view.id, captchaAnswer=" k7mpx ")}
        )
    )["startRegistration"]
    assert ok["errors"] == []
    reused = (
        await enabled.execute(
            START,
            {"input": registration_input(login="Other", captchaId=view.id, captchaAnswer="K7MPX")},
        )
    )["startRegistration"]
    assert codes(reused) == ["CAPTCHA_INVALID"]


async def test_expired_or_unknown_challenge(enabled):
    view = await captcha.new_challenge(runtime(enabled), answer="K7MPX")
    await models.CaptchaChallenge.filter(id=view.id).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    expired = (await enabled.execute(REQUEST_RESET, {"id": view.id, "answer": "K7MPX"}))[
        "requestPasswordReset"
    ]
    assert expired["ok"] is False
    assert [(e["field"], e["code"]) for e in expired["errors"]] == [
        ("captchaAnswer", "CAPTCHA_INVALID")
    ]
    unknown = (await enabled.execute(REQUEST_RESET, {"id": "nonsense", "answer": "K7MPX"}))[
        "requestPasswordReset"
    ]
    assert codes(unknown) == ["CAPTCHA_INVALID"]


async def test_a_bad_form_does_not_use_the_challenge_up(enabled):
    view = await captcha.new_challenge(runtime(enabled), answer="K7MPX")
    bad = (
        await enabled.execute(
            START,
            {
                "input": registration_input(
                    password="short", captchaId=view.id, captchaAnswer="K7MPX"
                )
            },
        )
    )["startRegistration"]
    assert codes(bad) == ["WEAK_PASSWORD", "PASSWORD_MISMATCH"]
    assert (await models.CaptchaChallenge.get(id=view.id)).used_at is None


async def test_disabled_captcha_accepts_any_answer(client):
    data = (
        await client.execute(
            START, {"input": registration_input(captchaId="whatever", captchaAnswer="")}
        )
    )["startRegistration"]
    assert data["errors"] == []


def test_production_refuses_a_disabled_captcha(make_settings):
    with pytest.raises(ValueError, match="LK_CAPTCHA=disabled"):
        make_settings(env="production", secret_key="x" * 40, captcha="disabled")
