"""Refresh tokens rotate; replaying one of any earlier rotation ends the whole session."""

from __future__ import annotations

import pytest

import models
from tests.sessions.flows import codes, session_of

LOGIN = """
mutation { login(login: "Ivan", password: "Ivan12345") { accessToken refreshToken } }
"""
REFRESH = """
mutation Refresh($token: String!) {
  refreshToken(refreshToken: $token) { accessToken refreshToken errors { code } }
}
"""
ME = "{ me { login } }"


async def _refresh(client, token: str) -> dict:
    return (await client.execute(REFRESH, {"token": token}))["refreshToken"]


@pytest.mark.parametrize("rotations", [2, 3])
async def test_replayed_refresh_token_of_an_older_rotation_ends_the_session(client, rotations):
    first = (await client.execute(LOGIN))["login"]
    tokens = [first]
    for _ in range(rotations):
        tokens.append(await _refresh(client, tokens[-1]["refreshToken"]))
    newest = tokens[-1]
    assert newest["errors"] == []
    assert (await client.execute(ME, token=newest["accessToken"]))["me"]["login"] == "Ivan"

    replay = await _refresh(client, first["refreshToken"])

    assert [e["code"] for e in replay["errors"]] == ["INVALID_CREDENTIALS"]
    session = await models.Session.get(id=session_of(client, newest["accessToken"]))
    assert session.revoked_at is not None
    assert codes(await client.post(ME, token=newest["accessToken"])) == ["UNAUTHENTICATED"]
    again = await _refresh(client, newest["refreshToken"])
    assert [e["code"] for e in again["errors"]] == ["INVALID_CREDENTIALS"]


async def test_a_made_up_refresh_token_ends_no_session(client):
    first = (await client.execute(LOGIN))["login"]
    session_hex = session_of(client, first["accessToken"]).hex
    forged = f"{session_hex}.{'A' * 43}.{'0' * 32}"

    refused = await _refresh(client, forged)

    assert [e["code"] for e in refused["errors"]] == ["INVALID_CREDENTIALS"]
    assert await models.Session.filter(revoked_at=None).count() == 1
    assert (await _refresh(client, first["refreshToken"]))["errors"] == []
