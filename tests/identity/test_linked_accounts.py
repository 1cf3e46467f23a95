"""linkAccount and unlinkAccount: another user's accounts only with that user's password."""

from __future__ import annotations

import models
from services.identity import auth
from tests.graphql import LOGIN
from tests.identity.flows import ERRORS, codes, new_account, runtime

LINK = f"""
mutation Link($login: String!, $password: String!) {{
  linkAccount(login: $login, password: $password) {{ account {{ number address }} {ERRORS} }}
}}
"""
UNLINK = f"""
mutation Unlink($number: String!) {{ unlinkAccount(accountNumber: $number) {{ ok {ERRORS} }} }}
"""
ACCOUNT = "query($number: String!) { account(number: $number) { number } }"
MY_ACCOUNTS = "{ me { accounts { number } } }"
IVAN_ACCOUNT = "66200000000"
PETR_ACCOUNT = "66200000001"


async def _numbers(client, token) -> list[str]:
    data = await client.execute(MY_ACCOUNTS, token=token)
    return [a["number"] for a in data["me"]["accounts"]]


async def test_link_with_the_holders_password_then_unlink(client, ivan):
    data = (await client.execute(LINK, {"login": "petr", "password": "Petr12345"}, token=ivan))[
        "linkAccount"
    ]
    assert data["errors"] == []
    assert data["account"]["number"] == PETR_ACCOUNT
    assert await _numbers(client, ivan) == [IVAN_ACCOUNT, PETR_ACCOUNT]
    assert (await client.execute(ACCOUNT, {"number": PETR_ACCOUNT}, token=ivan))["account"]
    link = await models.UserAccount.get(user__login_key="ivan", account__number=PETR_ACCOUNT)
    assert link.is_holder is False
    # Petr keeps his account.
    petr = await client.login("Petr", "Petr12345")
    assert await _numbers(client, petr) == [PETR_ACCOUNT]

    again = (await client.execute(LINK, {"login": "Petr", "password": "Petr12345"}, token=ivan))[
        "linkAccount"
    ]
    assert codes(again) == ["ALREADY_EXISTS"]

    unlinked = await client.execute(UNLINK, {"number": PETR_ACCOUNT}, token=ivan)
    assert unlinked["unlinkAccount"] == {"ok": True, "errors": []}
    assert await _numbers(client, ivan) == [IVAN_ACCOUNT]
    assert (await client.execute(ACCOUNT, {"number": PETR_ACCOUNT}, token=ivan))["account"] is None


async def test_another_users_account_stays_hidden_without_the_password(client, ivan):
    wrong = (await client.execute(LINK, {"login": "Petr", "password": "guess-123"}, token=ivan))[
        "linkAccount"
    ]
    assert wrong["account"] is None
    assert [(e["field"], e["code"]) for e in wrong["errors"]] == [
        ("password", "INVALID_CREDENTIALS")
    ]
    unknown = (
        await client.execute(LINK, {"login": "Nobody", "password": "guess-123"}, token=ivan)
    )["linkAccount"]
    assert unknown["errors"] == wrong["errors"]
    assert (await client.execute(ACCOUNT, {"number": PETR_ACCOUNT}, token=ivan))["account"] is None
    assert await _numbers(client, ivan) == [IVAN_ACCOUNT]
    foreign = await client.execute(UNLINK, {"number": PETR_ACCOUNT}, token=ivan)
    assert [(e["field"], e["code"]) for e in foreign["unlinkAccount"]["errors"]] == [
        ("accountNumber", "NOT_FOUND")
    ]
    assert await models.UserAccount.filter(account__number=PETR_ACCOUNT).count() == 1


async def test_guessing_the_password_locks_link_and_makes_sign_in_ask_for_captcha(client, ivan):
    for _ in range(auth.FAILED_LOGINS_LIMIT):
        await client.execute(LINK, {"login": "Petr", "password": "guess-123"}, token=ivan)
    locked = (await client.execute(LINK, {"login": "Petr", "password": "Petr12345"}, token=ivan))[
        "linkAccount"
    ]
    assert codes(locked) == ["TOO_MANY_ATTEMPTS"]
    # Sign-in is not locked: it asks Petr for the security code (tests/identity/test_sign_in_limits.py).
    sign_in = await client.execute(LOGIN, {"login": "Petr", "password": "Petr12345"})
    assert codes(sign_in["login"]) == ["CAPTCHA_REQUIRED"]
    assert await _numbers(client, ivan) == [IVAN_ACCOUNT]


async def test_only_within_one_region(client, ivan):
    rt = runtime(client)
    account = await new_account("59100000001", region="59")
    perm = await models.User.create(
        login="Perm", login_key="perm", password_hash=rt.passwords.hash("Perm-pass-1")
    )
    await models.UserAccount.create(user=perm, account=account, is_holder=True)
    data = (await client.execute(LINK, {"login": "Perm", "password": "Perm-pass-1"}, token=ivan))[
        "linkAccount"
    ]
    assert codes(data) == ["FORBIDDEN"]
    assert await _numbers(client, ivan) == [IVAN_ACCOUNT]


async def test_links_every_account_the_other_user_holds(client, ivan):
    extra = await new_account("66200000078")
    petr = await models.User.get(login_key="petr")
    await models.UserAccount.create(user=petr, account=extra, is_holder=True)
    data = (await client.execute(LINK, {"login": "Petr", "password": "Petr12345"}, token=ivan))[
        "linkAccount"
    ]
    assert data["errors"] == []
    assert sorted(await _numbers(client, ivan)) == [IVAN_ACCOUNT, PETR_ACCOUNT, "66200000078"]


async def test_own_login_and_unauthenticated(client, ivan):
    own = (await client.execute(LINK, {"login": "Ivan", "password": "Ivan12345"}, token=ivan))[
        "linkAccount"
    ]
    assert codes(own) == ["INVALID_INPUT"]
    anonymous = (await client.execute(LINK, {"login": "Petr", "password": "Petr12345"}))[
        "linkAccount"
    ]
    assert codes(anonymous) == ["UNAUTHENTICATED"]
    assert await models.UserAccount.filter(account__number=PETR_ACCOUNT).count() == 1


async def test_the_registered_and_the_last_account_stay(client, ivan):
    held = await client.execute(UNLINK, {"number": IVAN_ACCOUNT}, token=ivan)
    assert [(e["field"], e["code"]) for e in held["unlinkAccount"]["errors"]] == [
        ("accountNumber", "INVALID_INPUT")
    ]
    # A user whose only account is a linked one keeps it too.
    rt = runtime(client)
    lone = await models.User.create(
        login="Lone", login_key="lone", password_hash=rt.passwords.hash("Lone-pass-1")
    )
    ivan_account = await models.Account.get(number=IVAN_ACCOUNT)
    await models.UserAccount.create(user=lone, account=ivan_account, is_holder=False)
    token = await client.login("Lone", "Lone-pass-1")
    last = await client.execute(UNLINK, {"number": IVAN_ACCOUNT}, token=token)
    assert codes(last["unlinkAccount"]) == ["INVALID_INPUT"]
    assert await _numbers(client, token) == [IVAN_ACCOUNT]
    assert await _numbers(client, ivan) == [IVAN_ACCOUNT]
