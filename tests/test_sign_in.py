"""login, refreshToken, logout, and tokens on HTTP."""

from __future__ import annotations

from datetime import UTC, datetime

import models
from tests.graphql import LOGIN

ME = "{ me { login email phone city accounts { number } } }"

REFRESH = """
mutation Refresh($token: String!) {
  refreshToken(refreshToken: $token) { accessToken refreshToken errors { field code message } }
}
"""

LOGOUT = "mutation { logout { ok errors { code message } } }"


async def test_login_gives_tokens_that_open_me(client):
    data = await client.execute(LOGIN, {"login": "Ivan", "password": "Ivan12345"})
    payload = data["login"]
    assert payload["errors"] == []
    assert payload["user"] == {"login": "Ivan"}
    me = await client.execute(ME, token=payload["accessToken"])
    assert me["me"] == {
        "login": "Ivan",
        "email": "ivanov@ivan.ru",
        "phone": "+79999999999",
        "city": "Нижний Тагил",
        "accounts": [{"number": "66200000000"}],
    }


async def test_login_is_case_insensitive_for_the_login(client):
    data = await client.execute(LOGIN, {"login": "iVAN", "password": "Ivan12345"})
    assert data["login"]["errors"] == []


async def test_wrong_password_and_unknown_login_answer_the_same(client):
    wrong = await client.execute(LOGIN, {"login": "Ivan", "password": "nope12345"})
    unknown = await client.execute(LOGIN, {"login": "Nobody", "password": "nope12345"})
    for data in (wrong, unknown):
        assert data["login"]["accessToken"] is None
        assert [e["code"] for e in data["login"]["errors"]] == ["INVALID_CREDENTIALS"]
    assert wrong["login"]["errors"] == unknown["login"]["errors"]


async def test_repeated_failures_ask_for_the_security_code(client):
    # Not a lock (strangers could keep one up): see tests/identity/test_sign_in_limits.py.
    for _ in range(10):
        await client.execute(LOGIN, {"login": "Ivan", "password": "wrong-pass"})
    data = await client.execute(LOGIN, {"login": "Ivan", "password": "Ivan12345"})
    assert [e["code"] for e in data["login"]["errors"]] == ["CAPTCHA_REQUIRED"]
    assert data["login"]["accessToken"] is None


async def test_me_is_null_without_a_token_and_unauthenticated_with_a_forged_one(client, ivan):
    assert (await client.execute(ME))["me"] is None
    forged = ivan[:-4] + ("AAAA" if not ivan.endswith("AAAA") else "BBBB")
    for token in (forged, "not-a-token"):
        body = await client.post(ME, token=token)
        assert body["data"]["me"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]


async def test_refresh_rotates_and_a_replayed_token_ends_the_session(client):
    first = (await client.execute(LOGIN, {"login": "Ivan", "password": "Ivan12345"}))["login"]
    second = (await client.execute(REFRESH, {"token": first["refreshToken"]}))["refreshToken"]
    assert second["errors"] == []
    assert second["refreshToken"] != first["refreshToken"]
    assert (await client.execute(ME, token=second["accessToken"]))["me"]["login"] == "Ivan"

    replay = (await client.execute(REFRESH, {"token": first["refreshToken"]}))["refreshToken"]
    assert [e["code"] for e in replay["errors"]] == ["INVALID_CREDENTIALS"]
    # The replay revoked the session: the newest tokens stop working too.
    body = await client.post(ME, token=second["accessToken"])
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
    again = (await client.execute(REFRESH, {"token": second["refreshToken"]}))["refreshToken"]
    assert again["accessToken"] is None


async def test_logout_revokes_the_session(client, ivan):
    data = await client.execute(LOGOUT, token=ivan)
    assert data["logout"] == {"ok": True, "errors": []}
    body = await client.post(ME, token=ivan)
    assert body["data"]["me"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
    assert await models.Session.filter(revoked_at=None).count() == 0


async def test_logout_without_a_token_is_unauthenticated(client):
    data = await client.execute(LOGOUT)
    assert data["logout"]["ok"] is False
    assert [e["code"] for e in data["logout"]["errors"]] == ["UNAUTHENTICATED"]


async def test_a_login_longer_than_any_is_invalid_credentials(client):
    # Found by fuzzing: longer than the column, the ORM refused the filter with an exception.
    data = await client.execute(LOGIN, {"login": "ж" * 100, "password": "Ivan12345"})
    assert [e["code"] for e in data["login"]["errors"]] == ["INVALID_CREDENTIALS"]


async def test_refresh_of_a_logged_out_or_expired_session_is_refused_and_changes_nothing(client):
    # The branch where the refresh token is the session's current one but the session cannot be
    # used (services/identity/auth.refresh narrows the locked row before rotating it).
    logged_out = (await client.execute(LOGIN, {"login": "Ivan", "password": "Ivan12345"}))["login"]
    await client.execute(LOGOUT, token=logged_out["accessToken"])
    expired = (await client.execute(LOGIN, {"login": "Ivan", "password": "Ivan12345"}))["login"]
    await models.Session.filter(revoked_at=None).update(expires_at=datetime.now(UTC))
    before = {s.id: (s.refresh_hash, s.refreshed_at) for s in await models.Session.all()}

    for tokens in (logged_out, expired):
        answer = (await client.execute(REFRESH, {"token": tokens["refreshToken"]}))["refreshToken"]
        assert answer["accessToken"] is None
        assert [e["code"] for e in answer["errors"]] == ["INVALID_CREDENTIALS"]
    after = {s.id: (s.refresh_hash, s.refreshed_at) for s in await models.Session.all()}
    assert after == before
