"""Password recovery: the same answer for unknown contacts, the logins on one phone, a new
password that ends every session."""

from __future__ import annotations

import models
from services.identity import auth
from tests.graphql import LOGIN
from tests.identity.flows import ERRORS, ME, codes, last_code, last_link, outbox, runtime

REQUEST = f"""
mutation Request($channel: ContactChannel!, $contact: String!) {{
  requestPasswordReset(channel: $channel, contact: $contact, captchaId: "x", captchaAnswer: "x") {{
    ok {ERRORS}
  }}
}}
"""
VERIFY = f"""
mutation Verify($contact: String!, $code: String!) {{
  verifyPasswordReset(contact: $contact, code: $code) {{ resetToken logins {ERRORS} }}
}}
"""
RESET = f"""
mutation Reset($token: String!, $login: String!, $password: String!, $repeat: String!) {{
  resetPassword(resetToken: $token, login: $login, password: $password, passwordRepeat: $repeat) {{
    ok {ERRORS}
  }}
}}
"""
IVAN_PHONE = "+79999999999"


async def _second_login_on_ivans_phone(client) -> None:
    rt = runtime(client)
    await models.User.create(
        login="Ivanova",
        login_key="ivanova",
        password_hash=rt.passwords.hash("Ivanova-1"),
        phone=IVAN_PHONE,
        phone_confirmed=True,
    )


async def test_recovery_by_phone_with_two_logins(client):
    await _second_login_on_ivans_phone(client)
    old_session = await client.login("Ivan", "Ivan12345")
    other_device = await client.login("Ivan", "Ivan12345")

    asked = await client.execute(REQUEST, {"channel": "PHONE", "contact": "8 999 999-99-99"})
    assert asked["requestPasswordReset"] == {"ok": True, "errors": []}
    sms = (await outbox(client, IVAN_PHONE))[0]
    assert "восстановления пароля" in sms["body"]
    code = await last_code(client, IVAN_PHONE)

    verified = (await client.execute(VERIFY, {"contact": "+7 999 999 99 99", "code": code}))[
        "verifyPasswordReset"
    ]
    assert verified["errors"] == []
    assert verified["logins"] == ["Ivan", "Ivanova"]

    done = await client.execute(
        RESET,
        {
            "token": verified["resetToken"],
            "login": "ivan",
            "password": "New-pass-123",
            "repeat": "New-pass-123",
        },
    )
    assert done["resetPassword"] == {"ok": True, "errors": []}
    # Every session of Ivan ended; Ivanova's password did not change.
    for token in (old_session, other_device):
        ended = await client.post(ME, token=token)
        assert [e["extensions"]["code"] for e in ended["errors"]] == ["UNAUTHENTICATED"]
    assert await models.Session.filter(user__login_key="ivan", revoked_at=None).count() == 0
    failed = await client.execute(LOGIN, {"login": "Ivan", "password": "Ivan12345"})
    assert codes(failed["login"]) == ["INVALID_CREDENTIALS"]
    await client.login("Ivan", "New-pass-123")
    await client.login("Ivanova", "Ivanova-1")

    # The code and the reset token are single use.
    again = (await client.execute(VERIFY, {"contact": IVAN_PHONE, "code": code}))[
        "verifyPasswordReset"
    ]
    assert codes(again) == ["CODE_EXPIRED"]
    replay = await client.execute(
        RESET,
        {
            "token": verified["resetToken"],
            "login": "Ivan",
            "password": "Other-pass-123",
            "repeat": "Other-pass-123",
        },
    )
    assert codes(replay["resetPassword"]) == ["CODE_EXPIRED"]


async def test_recovery_by_email_link(client):
    asked = await client.execute(REQUEST, {"channel": "EMAIL", "contact": "Ivanov@Ivan.ru"})
    assert asked["requestPasswordReset"]["ok"] is True
    path, query = await last_link(client, "ivanov@ivan.ru")
    assert path == "/recovery"
    assert query["email"] == "ivanov@ivan.ru"
    verified = (await client.execute(VERIFY, {"contact": query["email"], "code": query["token"]}))[
        "verifyPasswordReset"
    ]
    assert verified["errors"] == []
    assert verified["logins"] == ["Ivan"]
    done = await client.execute(
        RESET,
        {"token": verified["resetToken"], "login": "Ivan", "password": "x", "repeat": "y"},
    )
    assert {(e["field"], e["code"]) for e in done["resetPassword"]["errors"]} == {
        ("password", "WEAK_PASSWORD"),
        ("passwordRepeat", "PASSWORD_MISMATCH"),
    }
    await client.login("Ivan", "Ivan12345")


async def test_unknown_contact_gets_the_same_answers_and_nothing_is_sent(client):
    known = await client.execute(REQUEST, {"channel": "PHONE", "contact": IVAN_PHONE})
    unknown = await client.execute(REQUEST, {"channel": "PHONE", "contact": "+79000000001"})
    assert known == unknown == {"requestPasswordReset": {"ok": True, "errors": []}}
    assert await outbox(client, "+79000000001") == []
    unknown_mail = await client.execute(REQUEST, {"channel": "EMAIL", "contact": "no@one.ru"})
    assert unknown_mail == known
    assert await outbox(client, "no@one.ru") == []
    assert len(await outbox(client)) == 1

    # Wrong codes: the same errors, the same lock-out after five tries.
    real = await last_code(client, IVAN_PHONE)
    wrong = "0000" if real != "0000" else "1111"
    for _ in range(5):
        a = await client.execute(VERIFY, {"contact": IVAN_PHONE, "code": wrong})
        b = await client.execute(VERIFY, {"contact": "+79000000001", "code": wrong})
        assert a == b
        assert codes(a["verifyPasswordReset"]) == ["INVALID_CODE"]
    a = await client.execute(VERIFY, {"contact": IVAN_PHONE, "code": wrong})
    b = await client.execute(VERIFY, {"contact": "+79000000001", "code": wrong})
    assert a == b
    assert codes(a["verifyPasswordReset"]) == ["TOO_MANY_ATTEMPTS"]

    # Past the daily limit the answer stays the same and nothing more is sent.
    for contact in (IVAN_PHONE, "+79000000001"):
        for _ in range(3):
            answer = await client.execute(REQUEST, {"channel": "PHONE", "contact": contact})
            assert answer == known
    assert len(await outbox(client, IVAN_PHONE)) == 3


async def test_malformed_contact_and_token(client):
    bad = await client.execute(REQUEST, {"channel": "PHONE", "contact": "12"})
    assert [(e["field"], e["code"]) for e in bad["requestPasswordReset"]["errors"]] == [
        ("contact", "INVALID_INPUT")
    ]
    forged = await client.execute(
        RESET, {"token": "abc.def", "login": "Ivan", "password": "x" * 9, "repeat": "x" * 9}
    )
    assert codes(forged["resetPassword"]) == ["INVALID_CODE"]


async def test_reset_token_names_only_logins_of_that_contact(client):
    await client.execute(REQUEST, {"channel": "PHONE", "contact": IVAN_PHONE})
    code = await last_code(client, IVAN_PHONE)
    verified = (await client.execute(VERIFY, {"contact": IVAN_PHONE, "code": code}))[
        "verifyPasswordReset"
    ]
    petr = await client.execute(
        RESET,
        {
            "token": verified["resetToken"],
            "login": "Petr",
            "password": "Stolen-123",
            "repeat": "Stolen-123",
        },
    )
    assert [(e["field"], e["code"]) for e in petr["resetPassword"]["errors"]] == [
        ("login", "NOT_FOUND")
    ]
    await client.login("Petr", "Petr12345")


async def test_reset_lifts_the_sign_in_lock(client):
    for _ in range(auth.FAILED_LOGINS_LIMIT):
        await client.execute(LOGIN, {"login": "Ivan", "password": "wrong-pass"})
    await client.execute(REQUEST, {"channel": "PHONE", "contact": IVAN_PHONE})
    code = await last_code(client, IVAN_PHONE)
    verified = (await client.execute(VERIFY, {"contact": IVAN_PHONE, "code": code}))[
        "verifyPasswordReset"
    ]
    await client.execute(
        RESET,
        {
            "token": verified["resetToken"],
            "login": "Ivan",
            "password": "New-pass-1",
            "repeat": "New-pass-1",
        },
    )
    await client.login("Ivan", "New-pass-1")
