"""changeEmail and changePhone ask for the current password (counted like sign-in failures,
reserved before it is checked), and the old contact is told once the new one is confirmed: a
stolen access token alone cannot move the account's e-mail or phone."""

from __future__ import annotations

import asyncio

import models
from services.identity import auth
from tests.graphql import LOGIN
from tests.identity.flows import ERRORS, codes, last_code, last_link, outbox

CHANGE_EMAIL = f"""
mutation($email: String!, $current: String!) {{
  changeEmail(email: $email, currentPassword: $current) {{ ok {ERRORS} }}
}}
"""
CONFIRM_EMAIL = f"""
mutation($token: String!) {{ confirmEmail(token: $token) {{ user {{ email }} {ERRORS} }} }}
"""
CHANGE_PHONE = f"""
mutation($phone: String!, $current: String!) {{
  changePhone(phone: $phone, currentPassword: $current) {{ ok {ERRORS} }}
}}
"""
CONFIRM_PHONE = f"""
mutation($code: String!) {{ confirmPhone(code: $code) {{ user {{ phone }} {ERRORS} }} }}
"""
IVAN_EMAIL = "ivanov@ivan.ru"
IVAN_PHONE = "+79999999999"
PETR_EMAIL = "petrov@example.ru"


async def _password_tries() -> int:
    """Current-password tries of Ivan counted in this window (services.limits counters)."""
    user = await models.User.get(login_key="ivan")
    rows = await models.RateCounter.filter(key__startswith=f"current-password:{user.id}@")
    return sum(row.count for row in rows)


def fields(payload):
    return [(e["field"], e["code"]) for e in payload["errors"]]


async def test_change_email_with_a_wrong_current_password_sends_nothing(client, ivan):
    data = await client.execute(
        CHANGE_EMAIL, {"email": "thief@example.ru", "current": "guess-1234"}, token=ivan
    )
    assert fields(data["changeEmail"]) == [("currentPassword", "INVALID_CREDENTIALS")]
    assert data["changeEmail"]["errors"][0]["message"] == "Неверный текущий пароль."
    assert await outbox(client, "thief@example.ru") == []
    assert await models.VerificationCode.filter(target="thief@example.ru").count() == 0
    assert await _password_tries() == 1
    missing = await client.execute(CHANGE_EMAIL, {"email": "nope", "current": ""}, token=ivan)
    assert fields(missing["changeEmail"]) == [
        ("email", "INVALID_INPUT"),
        ("currentPassword", "REQUIRED"),
    ]
    # A typo in the form does not spend a try.
    assert await _password_tries() == 1


async def test_change_phone_with_a_wrong_current_password_sends_nothing(client, petr):
    data = await client.execute(
        CHANGE_PHONE, {"phone": "+79120001122", "current": "guess-1234"}, token=petr
    )
    assert fields(data["changePhone"]) == [("currentPassword", "INVALID_CREDENTIALS")]
    assert data["changePhone"]["errors"][0]["message"] == "Неверный текущий пароль."
    assert await outbox(client, "+79120001122") == []
    assert await models.VerificationCode.filter(target="+79120001122").count() == 0


async def test_wrong_current_passwords_at_once_never_pass_the_sign_in_limit(client, ivan):
    limit = auth.FAILED_LOGINS_LIMIT
    answers = await asyncio.gather(
        *(
            client.execute(
                CHANGE_EMAIL, {"email": f"thief{i}@example.ru", "current": f"guess-{i:04}"}, ivan
            )
            for i in range(30)
        )
    )
    judged = [a for a in answers if codes(a["changeEmail"]) == ["INVALID_CREDENTIALS"]]
    refused = [a for a in answers if codes(a["changeEmail"]) == ["TOO_MANY_ATTEMPTS"]]
    assert (len(judged), len(refused)) == (limit, 30 - limit)
    assert await _password_tries() == limit
    # Locked now, for the right password too; and the failures counted at sign-in as well.
    right = await client.execute(
        CHANGE_EMAIL, {"email": "ivan.new@mail.ru", "current": "Ivan12345"}, token=ivan
    )
    assert codes(right["changeEmail"]) == ["TOO_MANY_ATTEMPTS"]
    signed = await client.execute(LOGIN, {"login": "Ivan", "password": "Ivan12345"})
    assert signed["login"]["accessToken"] is None
    assert codes(signed["login"]) in (["TOO_MANY_ATTEMPTS"], ["CAPTCHA_REQUIRED"])
    assert await models.OutgoingMessage.filter(to__startswith="thief").count() == 0
    assert await models.VerificationCode.all().count() == 0


async def test_new_email_is_told_to_the_old_address_once_confirmed(client, ivan):
    data = await client.execute(
        CHANGE_EMAIL, {"email": "Ivan.New@Mail.ru", "current": "Ivan12345"}, token=ivan
    )
    assert data["changeEmail"] == {"ok": True, "errors": []}
    # Asking changes nothing yet: the old address is told when the new one takes over.
    assert await outbox(client, IVAN_EMAIL) == []
    _, query = await last_link(client, "ivan.new@mail.ru")
    done = await client.execute(CONFIRM_EMAIL, {"token": query["token"]})
    assert done["confirmEmail"]["errors"] == []
    [notice] = await outbox(client, IVAN_EMAIL)
    assert notice["channel"] == "email"
    assert notice["subject"] == "Изменены контактные данные в личном кабинете"
    assert "логин Ivan" in notice["body"]
    assert "адрес электронной почты изменён на iv***@mail.ru" in notice["body"]
    assert "ivan.new@mail.ru" not in notice["body"]
    assert (await models.User.get(login_key="ivan")).email == "ivan.new@mail.ru"


async def test_new_phone_is_told_to_the_old_phone_once_confirmed(client, ivan):
    data = await client.execute(
        CHANGE_PHONE, {"phone": "+79120001122", "current": "Ivan12345"}, token=ivan
    )
    assert data["changePhone"] == {"ok": True, "errors": []}
    assert await outbox(client, IVAN_PHONE) == []
    code = await last_code(client, "+79120001122")
    done = await client.execute(CONFIRM_PHONE, {"code": code}, token=ivan)
    assert done["confirmPhone"]["errors"] == []
    [notice] = await outbox(client, IVAN_PHONE)
    assert notice["channel"] == "sms"
    assert "номер телефона изменён на +7 912 ***-**-22" in notice["body"]
    assert (await models.User.get(login_key="ivan")).phone == "+79120001122"


async def test_first_phone_is_told_to_the_confirmed_email(client, petr):
    # Petr has no phone yet: the confirmed e-mail learns about the new one.
    data = await client.execute(
        CHANGE_PHONE, {"phone": "+79120001122", "current": "Petr12345"}, token=petr
    )
    assert data["changePhone"]["errors"] == []
    code = await last_code(client, "+79120001122")
    await client.execute(CONFIRM_PHONE, {"code": code}, token=petr)
    [notice] = await outbox(client, PETR_EMAIL)
    assert "номер телефона изменён на +7 912 ***-**-22" in notice["body"]
