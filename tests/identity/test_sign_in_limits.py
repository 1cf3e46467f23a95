"""Sign-in limits (issue 12, finding 3): failures are reserved before the password hash is
checked, a login with failures asks for the security code instead of locking its owner out, a
flood from one address is throttled, and one request checks at most one password."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

import models
from server import create_app
from services.identity import auth, captcha
from tests.graphql import LOGIN as PLAIN_LOGIN
from tests.graphql import GraphQLClient
from tests.identity.flows import ERRORS, codes, runtime

LOGIN = f"""
mutation Login($login: String!, $password: String!, $captchaId: ID, $captchaAnswer: String) {{
  login(login: $login, password: $password, captchaId: $captchaId, captchaAnswer: $captchaAnswer) {{
    accessToken {ERRORS}
  }}
}}
"""
ALIASES = 30
ALIASED_LOGINS = (
    "mutation {"
    + " ".join(
        f'a{i}: login(login: "Ivan", password: "guess-{i}") {{ accessToken {ERRORS} }}'
        for i in range(ALIASES)
    )
    + "}"
)
STRANGER = "127.0.0.2"


@pytest.fixture
async def enabled(clean_database, make_settings, aiohttp_client) -> GraphQLClient:
    """The app with real security codes."""
    return GraphQLClient(await aiohttp_client(create_app(make_settings(captcha="enabled"))))


def login_vars(password: str, **extra: Any) -> dict[str, Any]:
    return {"login": "Ivan", "password": password, **extra}


async def post_from(client: GraphQLClient, address: str, query: str, variables: dict) -> dict:
    """A request from another source address (the loopback network answers all of 127/8)."""
    connector = aiohttp.TCPConnector(local_addr=(address, 0))
    async with aiohttp.ClientSession(connector=connector) as session:
        response = await session.post(
            client.http.make_url(client.path), json={"query": query, "variables": variables}
        )
        assert response.status == 200
        return (await response.json())["data"]


async def login_failures(key: str = "ivan") -> int:
    rows = await models.RateCounter.filter(key__startswith=f"login-failures:{key}@")
    return sum(row.count for row in rows)


async def sessions() -> int:
    return await models.Session.filter(user__login_key="ivan").count()


async def test_thirty_wrong_passwords_and_the_right_one_at_once_judge_only_three(client):
    passwords = [f"guess-{i}" for i in range(30)] + ["Ivan12345"]

    answers = await asyncio.gather(
        *(client.execute(PLAIN_LOGIN, login_vars(password)) for password in passwords)
    )

    payloads = [a["login"] for a in answers]
    judged = [p for p in payloads if p["accessToken"] or codes(p) == ["INVALID_CREDENTIALS"]]
    # Before the fix: 30 INVALID_CREDENTIALS and a success.
    assert len(judged) <= 3
    # The others did no password check: a security code is asked for (or, for a burst past
    # SOURCE_FAILURES_LIMIT from one address, RATE_LIMITED).
    others = [
        codes(p) for p in payloads if not (p["accessToken"] or codes(p) == ["INVALID_CREDENTIALS"])
    ]
    assert len(others) == len(passwords) - len(judged)
    assert all(c in (["CAPTCHA_REQUIRED"], ["RATE_LIMITED"]) for c in others)
    signed_in = [p for p in payloads if p["accessToken"]]
    assert await sessions() == len(signed_in) <= 1
    assert await login_failures() == len(judged) - len(signed_in)
    assert auth.CAPTCHA_FREE_FAILURES == 3


async def test_after_three_failures_the_right_password_needs_the_security_code(enabled):
    for i in range(auth.CAPTCHA_FREE_FAILURES):
        wrong = (await enabled.execute(LOGIN, login_vars(f"guess-{i}")))["login"]
        assert codes(wrong) == ["INVALID_CREDENTIALS"]

    asked = (await enabled.execute(LOGIN, login_vars("Ivan12345")))["login"]
    assert [(e["field"], e["code"]) for e in asked["errors"]] == [
        ("captchaAnswer", "CAPTCHA_REQUIRED")
    ]
    assert asked["errors"][0]["message"] == (
        "Было несколько неудачных попыток входа. Введите код с картинки."
    )
    view = await captcha.new_challenge(runtime(enabled), answer="K7MPX")
    wrong_code = (
        await enabled.execute(
            LOGIN, login_vars("Ivan12345", captchaId=view.id, captchaAnswer="AAAAA")
        )
    )["login"]
    assert codes(wrong_code) == ["CAPTCHA_INVALID"]
    assert await sessions() == 0

    view = await captcha.new_challenge(runtime(enabled), answer="K7MPX")
    solved = (
        await enabled.execute(
            LOGIN, login_vars("Ivan12345", captchaId=view.id, captchaAnswer="k7mpx")
        )
    )["login"]
    assert solved["errors"] == [] and solved["accessToken"]
    assert await sessions() == 1


async def test_a_strangers_failures_do_not_keep_the_owner_out(enabled):
    # A stranger fails again and again from another address, even solving security codes,
    # more than any lock would allow, until that address is throttled.
    rt = runtime(enabled)
    answers = []
    for i in range(auth.SOURCE_FAILURES_LIMIT + 2):
        view = await captcha.new_challenge(rt, answer="K7MPX")
        guess = login_vars(f"guess-{i}", captchaId=view.id, captchaAnswer="K7MPX")
        answers.append(codes((await post_from(enabled, STRANGER, LOGIN, guess))["login"]))
    assert answers[: auth.SOURCE_FAILURES_LIMIT] == [["INVALID_CREDENTIALS"]] * (
        auth.SOURCE_FAILURES_LIMIT
    )
    assert answers[auth.SOURCE_FAILURES_LIMIT :] == [["RATE_LIMITED"]] * 2

    # The owner, from their own address, is asked for the security code, not refused.
    asked = (await enabled.execute(LOGIN, login_vars("Ivan12345")))["login"]
    assert codes(asked) == ["CAPTCHA_REQUIRED"]
    view = await captcha.new_challenge(runtime(enabled), answer="K7MPX")
    solved = (
        await enabled.execute(
            LOGIN, login_vars("Ivan12345", captchaId=view.id, captchaAnswer="K7MPX")
        )
    )["login"]
    assert solved["errors"] == [] and solved["accessToken"]
    assert await sessions() == 1


async def test_many_failures_from_one_address_ask_every_login_there_for_the_security_code(client):
    for i in range(auth.SOURCE_CAPTCHA_FAILURES):
        # Different logins: no login reaches its own limit.
        await client.execute(LOGIN, {"login": f"nobody{i}", "password": "guess-123"})

    petr = (await client.execute(LOGIN, {"login": "Petr", "password": "Petr12345"}))["login"]

    assert codes(petr) == ["CAPTCHA_REQUIRED"]
    # From another address Petr signs in without one.
    other = await post_from(client, STRANGER, LOGIN, {"login": "Petr", "password": "Petr12345"})
    assert other["login"]["errors"] == []


async def test_thirty_aliased_logins_in_one_request_check_one_password(client):
    body = await client.post(ALIASED_LOGINS)

    payloads = list(body["data"].values())
    assert codes(payloads[0]) == ["INVALID_CREDENTIALS"]
    # Before the fix: 30 INVALID_CREDENTIALS (30 password hashes).
    assert all(codes(p) == ["RATE_LIMITED"] for p in payloads[1:])
    assert await login_failures() == 1


async def test_a_success_is_not_counted_as_a_failure(client):
    await client.login("Ivan", "Ivan12345")
    await client.login("Ivan", "Ivan12345")

    assert await login_failures() == 0
    assert await models.RateCounter.filter(key__startswith="source-failures:").count() <= 1
    assert sum(r.count for r in await models.RateCounter.all()) == 0
