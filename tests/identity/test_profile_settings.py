"""changePassword, changeEmail + confirmEmail, changePhone + confirmPhone, updateSettings."""

from __future__ import annotations

import models
from services.identity import auth
from tests.graphql import LOGIN
from tests.identity.flows import ERRORS, ME, codes, last_code, last_link, outbox

CHANGE_PASSWORD = f"""
mutation Change($current: String!, $password: String!, $repeat: String!) {{
  changePassword(currentPassword: $current, password: $password, passwordRepeat: $repeat) {{
    ok {ERRORS}
  }}
}}
"""
CHANGE_EMAIL = f"""
mutation($email: String!, $current: String!) {{
  changeEmail(email: $email, currentPassword: $current) {{ ok {ERRORS} }}
}}
"""
CONFIRM_EMAIL = f"""
mutation($token: String!) {{ confirmEmail(token: $token) {{ user {{ email emailConfirmed }} {ERRORS} }} }}
"""
CHANGE_PHONE = f"""
mutation($phone: String!, $current: String!) {{
  changePhone(phone: $phone, currentPassword: $current) {{ ok {ERRORS} }}
}}
"""
CONFIRM_PHONE = f"""
mutation($code: String!) {{ confirmPhone(code: $code) {{ user {{ phone phoneConfirmed }} {ERRORS} }} }}
"""
UPDATE_SETTINGS = f"""
mutation($mailing: Boolean, $readings: Boolean, $receipts: Boolean) {{
  updateSettings(subscribedToMailing: $mailing, allowReadingsWithoutAuth: $readings,
                 receiptCopies: $receipts) {{
    user {{ subscribedToMailing allowReadingsWithoutAuth receiptCopies }} {ERRORS}
  }}
}}
"""


async def test_change_password_ends_the_other_sessions(client, ivan):
    other = await client.login("Ivan", "Ivan12345")
    data = await client.execute(
        CHANGE_PASSWORD,
        {"current": "Ivan12345", "password": "Brand-new-1", "repeat": "Brand-new-1"},
        token=ivan,
    )
    assert data["changePassword"] == {"ok": True, "errors": []}
    assert (await client.execute(ME, token=ivan))["me"]["login"] == "Ivan"
    ended = await client.post(ME, token=other)
    assert [e["extensions"]["code"] for e in ended["errors"]] == ["UNAUTHENTICATED"]
    assert await models.Session.filter(user__login_key="ivan", revoked_at=None).count() == 1
    await client.login("Ivan", "Brand-new-1")


async def test_change_password_errors(client, ivan):
    wrong = await client.execute(
        CHANGE_PASSWORD,
        {"current": "not-it-123", "password": "Brand-new-1", "repeat": "Brand-new-1"},
        token=ivan,
    )
    assert [(e["field"], e["code"]) for e in wrong["changePassword"]["errors"]] == [
        ("currentPassword", "INVALID_CREDENTIALS")
    ]
    # No login was typed: the message is about the current password only.
    assert wrong["changePassword"]["errors"][0]["message"] == "Неверный текущий пароль."
    weak = await client.execute(
        CHANGE_PASSWORD, {"current": "Ivan12345", "password": "ivan", "repeat": "ivan2"}, token=ivan
    )
    assert codes(weak["changePassword"]) == ["WEAK_PASSWORD", "PASSWORD_MISMATCH"]
    same_as_login = await client.execute(
        CHANGE_PASSWORD,
        {"current": "Ivan12345", "password": "IVANIVAN", "repeat": "IVANIVAN"},
        token=ivan,
    )
    assert codes(same_as_login["changePassword"]) == []  # 'IVANIVAN' is not the login 'Ivan'
    anonymous = await client.execute(
        CHANGE_PASSWORD, {"current": "a", "password": "b" * 8, "repeat": "b" * 8}
    )
    assert codes(anonymous["changePassword"]) == ["UNAUTHENTICATED"]


async def test_password_equal_to_the_login_is_weak(client, petr):
    await models.User.filter(login_key="petr").update(login="Petrovich", login_key="petrovich")
    token = await client.login("Petrovich", "Petr12345")
    data = await client.execute(
        CHANGE_PASSWORD,
        {"current": "Petr12345", "password": "pETROVICH", "repeat": "pETROVICH"},
        token=token,
    )
    assert [(e["field"], e["code"]) for e in data["changePassword"]["errors"]] == [
        ("password", "WEAK_PASSWORD")
    ]
    await client.login("Petrovich", "Petr12345")


async def test_new_email_counts_only_once_confirmed(client, ivan):
    data = await client.execute(
        CHANGE_EMAIL, {"email": "Ivan.New@Mail.ru", "current": "Ivan12345"}, token=ivan
    )
    assert data["changeEmail"] == {"ok": True, "errors": []}
    me = (await client.execute(ME, token=ivan))["me"]
    assert me["email"] == "ivanov@ivan.ru"
    mail = (await outbox(client, "ivan.new@mail.ru"))[0]
    assert mail["subject"] == "Подтверждение адреса электронной почты"
    path, query = await last_link(client, "ivan.new@mail.ru")
    assert path == "/profile/confirm-email"

    # Another signed-in user cannot use Ivan's link.
    petr = await client.login("Petr", "Petr12345")
    foreign = await client.execute(CONFIRM_EMAIL, {"token": query["token"]}, token=petr)
    assert codes(foreign["confirmEmail"]) == ["FORBIDDEN"]

    # The link works without signing in (opened in another browser).
    done = await client.execute(CONFIRM_EMAIL, {"token": query["token"]})
    assert done["confirmEmail"] == {
        "user": {"email": "ivan.new@mail.ru", "emailConfirmed": True},
        "errors": [],
    }
    again = await client.execute(CONFIRM_EMAIL, {"token": query["token"]}, token=ivan)
    assert codes(again["confirmEmail"]) == ["CODE_EXPIRED"]


async def test_change_email_errors(client, ivan):
    bad = await client.execute(CHANGE_EMAIL, {"email": "nope", "current": "Ivan12345"}, token=ivan)
    assert [(e["field"], e["code"]) for e in bad["changeEmail"]["errors"]] == [
        ("email", "INVALID_INPUT")
    ]
    same = await client.execute(
        CHANGE_EMAIL, {"email": "ivanov@ivan.ru", "current": "Ivan12345"}, token=ivan
    )
    assert codes(same["changeEmail"]) == ["INVALID_INPUT"]
    for _ in range(3):
        await client.execute(
            CHANGE_EMAIL, {"email": "ivan.new@mail.ru", "current": "Ivan12345"}, token=ivan
        )
    limited = await client.execute(
        CHANGE_EMAIL, {"email": "ivan.new@mail.ru", "current": "Ivan12345"}, token=ivan
    )
    assert codes(limited["changeEmail"]) == ["RATE_LIMITED"]
    assert len(await outbox(client, "ivan.new@mail.ru")) == 3
    forged = await client.execute(CONFIRM_EMAIL, {"token": "a.b"}, token=ivan)
    assert codes(forged["confirmEmail"]) == ["INVALID_CODE"]


async def test_new_phone_by_sms_code(client, petr):
    data = await client.execute(
        CHANGE_PHONE, {"phone": "+7 (912) 000-11-22", "current": "Petr12345"}, token=petr
    )
    assert data["changePhone"] == {"ok": True, "errors": []}
    assert (await client.execute(ME, token=petr))["me"]["phone"] is None
    code = await last_code(client, "+79120001122")
    wrong = await client.execute(
        CONFIRM_PHONE, {"code": "0000" if code != "0000" else "1111"}, token=petr
    )
    assert [(e["field"], e["code"]) for e in wrong["confirmPhone"]["errors"]] == [
        ("code", "INVALID_CODE")
    ]
    done = await client.execute(CONFIRM_PHONE, {"code": code}, token=petr)
    assert done["confirmPhone"] == {
        "user": {"phone": "+79120001122", "phoneConfirmed": True},
        "errors": [],
    }


async def test_change_phone_limits(client, petr):
    for _ in range(3):
        ok = await client.execute(
            CHANGE_PHONE, {"phone": "+79120001122", "current": "Petr12345"}, token=petr
        )
        assert ok["changePhone"]["ok"] is True
    limited = await client.execute(
        CHANGE_PHONE, {"phone": "+79120001122", "current": "Petr12345"}, token=petr
    )
    assert codes(limited["changePhone"]) == ["RATE_LIMITED"]
    code = await last_code(client, "+79120001122")
    wrong = "0000" if code != "0000" else "1111"
    for _ in range(5):
        await client.execute(CONFIRM_PHONE, {"code": wrong}, token=petr)
    locked = await client.execute(CONFIRM_PHONE, {"code": code}, token=petr)
    assert codes(locked["confirmPhone"]) == ["TOO_MANY_ATTEMPTS"]
    assert (await models.User.get(login_key="petr")).phone is None
    nothing = await client.execute(
        CONFIRM_PHONE, {"code": "1234"}, token=await client.login("Ivan", "Ivan12345")
    )
    assert codes(nothing["confirmPhone"]) == ["INVALID_CODE"]


async def test_update_settings_changes_only_what_is_given(client, ivan):
    data = await client.execute(UPDATE_SETTINGS, {"mailing": True, "receipts": False}, token=ivan)
    assert data["updateSettings"] == {
        "user": {
            "subscribedToMailing": True,
            "allowReadingsWithoutAuth": False,
            "receiptCopies": False,
        },
        "errors": [],
    }
    data = await client.execute(UPDATE_SETTINGS, {"readings": True}, token=ivan)
    assert data["updateSettings"]["user"] == {
        "subscribedToMailing": True,
        "allowReadingsWithoutAuth": True,
        "receiptCopies": False,
    }
    row = await models.User.get(login_key="ivan")
    assert (row.subscribed_to_mailing, row.allow_readings_without_auth, row.receipt_copies) == (
        True,
        True,
        False,
    )
    anonymous = await client.execute(UPDATE_SETTINGS, {"mailing": False})
    assert codes(anonymous["updateSettings"]) == ["UNAUTHENTICATED"]


async def test_wrong_current_passwords_count_like_sign_in_failures(client, ivan):
    for _ in range(auth.FAILED_LOGINS_LIMIT):
        await client.execute(
            CHANGE_PASSWORD,
            {"current": "guess-1234", "password": "Brand-new-1", "repeat": "Brand-new-1"},
            token=ivan,
        )
    locked = await client.execute(LOGIN, {"login": "Ivan", "password": "Ivan12345"})
    assert codes(locked["login"]) == ["CAPTCHA_REQUIRED"]
