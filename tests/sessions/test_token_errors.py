"""An access token that is not valid answers a typed error (TOKEN_EXPIRED: refresh and retry;
UNAUTHENTICATED: sign in again) on every field that needs the signed-in user; public fields
still answer, and no token at all keeps the answers of an anonymous visitor."""

from __future__ import annotations

import time

import jwt
import pytest

import models
from tests.conftest import TEST_SECRET
from tests.platform.conftest import PRODUCTION
from tests.sessions.flows import codes, token_lasting

ACCOUNT = 'query { account(number: "66200000000") { number holderName } }'
ME_AND_CAPTCHA = "{ me { login } captcha { id } }"
PUBLIC_METERS = (
    'query { publicMeters(accountNumber: "66200000001", captchaId: "none", captchaAnswer: "none")'
    " { serialNumber } }"
)
LOGOUT = "mutation { logout { ok errors { code } } }"
UPDATE_SETTINGS = """
mutation { updateSettings(subscribedToMailing: true) { user { subscribedToMailing }
  errors { code } } }
"""
LOGIN = """
mutation { login(login: "Petr", password: "Petr12345") { accessToken errors { code } } }
"""


def expired_jwt(user_id: int = 1) -> str:
    claims = {"sub": str(user_id), "sid": "x", "exp": int(time.time()) - 60, "typ": "access"}
    return jwt.encode(claims, TEST_SECRET, algorithm="HS256")


async def _mailing(login: str) -> bool:
    return (await models.User.get(login_key=login)).subscribed_to_mailing


async def test_expired_token_answers_token_expired_not_a_missing_account(client, ivan):
    expired = token_lasting(client, ivan, -5)

    body = await client.post(ACCOUNT, token=expired)

    assert body["data"] == {"account": None}
    assert codes(body) == ["TOKEN_EXPIRED"]
    assert body["errors"][0]["path"] == ["account"]
    # The same session with a fresh token still sees the account.
    fresh = await client.execute(ACCOUNT, token=ivan)
    assert fresh["account"]["number"] == "66200000000"


async def test_expired_token_refuses_a_mutation_and_changes_nothing(client, ivan):
    assert await _mailing("ivan") is False
    body = await client.post(UPDATE_SETTINGS, token=token_lasting(client, ivan, -5))

    assert codes(body) == ["TOKEN_EXPIRED"]
    assert body["errors"][0]["path"] == ["updateSettings"]
    assert await _mailing("ivan") is False


async def test_public_fields_answer_with_an_expired_token(client, ivan):
    expired = token_lasting(client, ivan, -5)

    body = await client.post(ME_AND_CAPTCHA, token=expired)
    assert codes(body) == ["TOKEN_EXPIRED"]
    assert body["data"]["me"] is None
    assert body["data"]["captcha"]["id"]

    meters = await client.post(PUBLIC_METERS, token=expired)
    assert "errors" not in meters
    assert meters["data"]["publicMeters"]
    login = await client.post(LOGIN, token=expired)
    assert "errors" not in login
    assert login["data"]["login"]["accessToken"]


async def test_revoked_token_answers_unauthenticated(client, ivan):
    assert (await client.execute(LOGOUT, token=ivan))["logout"]["ok"] is True

    body = await client.post(ACCOUNT, token=ivan)
    assert body["data"] == {"account": None}
    assert codes(body) == ["UNAUTHENTICATED"]
    settings = await client.post(UPDATE_SETTINGS, token=ivan)
    assert codes(settings) == ["UNAUTHENTICATED"]
    assert await _mailing("ivan") is False


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "forged"])
async def test_malformed_or_forged_token_answers_unauthenticated(client, ivan, token):
    if token == "forged":
        token = jwt.encode(
            {"sub": "1", "sid": "x", "exp": int(time.time()) + 60, "typ": "access"},
            "another-secret-0123456789-abcdefghijklmnop",
            algorithm="HS256",
        )
    body = await client.post(ACCOUNT, token=token)

    assert body["data"] == {"account": None}
    assert codes(body) == ["UNAUTHENTICATED"]


async def test_no_token_keeps_todays_answers(client):
    body = await client.post(ACCOUNT)
    assert body == {"data": {"account": None}}
    settings = await client.post(UPDATE_SETTINGS)
    assert "errors" not in settings
    assert settings["data"]["updateSettings"]["errors"] == [{"code": "UNAUTHENTICATED"}]
    assert await _mailing("ivan") is False


async def test_token_errors_are_not_masked_in_production(make_client):
    production = await make_client(**PRODUCTION)

    expired = await production.post(ACCOUNT, token=expired_jwt())
    assert codes(expired) == ["TOKEN_EXPIRED"]
    assert expired["errors"][0]["message"].startswith("Срок действия токена")
    garbage = await production.post(ACCOUNT, token="garbage")
    assert codes(garbage) == ["UNAUTHENTICATED"]
