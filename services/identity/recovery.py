"""Password recovery: a code by SMS or a link by e-mail, the logins on that contact, a new
password that ends every session of the user.

Nothing here tells whether a contact is known. requestPasswordReset answers the same for any
well-formed contact and, for an unknown one, still records a code that nobody receives: the
daily limit, the tries and every later answer (verifyPasswordReset's INVALID_CODE,
TOO_MANY_ATTEMPTS) are then the same for known and unknown contacts. Past the daily limit the
request still answers ok and sends nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

import models
from infra.runtime import Runtime
from services import contacts
from services.errors import DomainError, ErrorCode
from services.identity import auth, captcha, verification
from services.identity.credentials import password_errors, store_password
from services.messages import outbox

PURPOSE = models.VerificationPurpose.PASSWORD_RESET
LINK_TTL = timedelta(hours=1)
LINK_PATH = "/recovery"
LINK_PURPOSE = "password-reset-link"
# What verifyPasswordReset hands out for resetPassword: signed, short-lived.
RESET_TTL = timedelta(minutes=15)
RESET_PURPOSE = "password-reset"

SMS_TEXT = (
    "Код для восстановления пароля в личном кабинете: {code}. "
    "Если вы не запрашивали код, не сообщайте его никому."
)
EMAIL_SUBJECT = "Восстановление пароля в личном кабинете"
EMAIL_TEXT = """Здравствуйте!

Для этого адреса запрошено восстановление пароля в личном кабинете клиента.
Чтобы задать новый пароль, перейдите по ссылке:
{link}

Ссылка действует 1 час. Если вы не запрашивали восстановление пароля, просто удалите
это письмо: ваш пароль останется прежним.

С уважением,
служба поддержки клиентов
"""


@dataclass(frozen=True, slots=True)
class PasswordResetView:
    reset_token: str | None
    logins: list[str]


def _normalize(channel: models.ContactChannel, contact: str) -> str:
    if channel == models.ContactChannel.PHONE:
        return contacts.normalize_phone(contact, field="contact")
    return contacts.normalize_email(contact, field="contact")


def _channel_of(contact: str) -> models.ContactChannel:
    return (
        models.ContactChannel.EMAIL if contacts.is_email(contact) else models.ContactChannel.PHONE
    )


async def users_on(channel: models.ContactChannel, target: str) -> list[models.User]:
    """Users whose confirmed phone or e-mail is the target, by login."""
    if channel == models.ContactChannel.PHONE:
        query = models.User.filter(phone=target, phone_confirmed=True)
    else:
        query = models.User.filter(email=target, email_confirmed=True)
    return await query.order_by("login_key")


async def request(
    rt: Runtime,
    *,
    channel: models.ContactChannel,
    contact: str,
    captcha_id: str,
    captcha_answer: str,
) -> None:
    target = _normalize(channel, contact)
    await captcha.verify(rt, captcha_id=captcha_id, answer=captcha_answer)
    async with in_transaction():
        # Reserved before the code is made: requests sent at once cannot pass the daily limit.
        if not await verification.take_quota(rt, purpose=PURPOSE, target=target):
            return
        known = bool(await users_on(channel, target))
        if channel == models.ContactChannel.PHONE:
            code = await verification.issue(rt, purpose=PURPOSE, target=target)
            if known:
                await verification.send_code_sms(to=target, text=SMS_TEXT, code=code)
        else:
            nonce = await verification.issue(
                rt, purpose=PURPOSE, target=target, link=True, ttl=LINK_TTL
            )
            if known:
                link = reset_link(rt, target, nonce)
                await outbox.enqueue_email(
                    rt=rt,
                    to=target,
                    subject=EMAIL_SUBJECT,
                    body=EMAIL_TEXT.format(link=link),
                    secrets=[link],
                    expires_in=LINK_TTL,
                )


def reset_link(rt: Runtime, target: str, nonce: str) -> str:
    return verification.signed_link(
        rt, LINK_PATH, {"t": target, "n": nonce}, purpose=LINK_PURPOSE, ttl=LINK_TTL, email=target
    )


async def verify(rt: Runtime, *, contact: str, code: str) -> PasswordResetView:
    """`code` is the SMS code for a phone, or the token from the e-mail's link."""
    channel = _channel_of(contact)
    target = _normalize(channel, contact)
    if channel == models.ContactChannel.PHONE:
        row = (
            await models.VerificationCode.filter(purpose=PURPOSE, target=target)
            .order_by("-created_at", "-id")
            .first()
        )
        row = await verification.check_code(rt, row, code, field="code")
    else:
        payload = verification.unsign_link(rt, code, purpose=LINK_PURPOSE, field="code")
        if payload.get("t") != target:
            raise DomainError.of(ErrorCode.INVALID_CODE, "Ссылка недействительна.", "code")
        row = await verification.find_link(
            rt, purpose=PURPOSE, target=target, nonce=str(payload.get("n"))
        )
        row = await verification.check_link(rt, row, field="code")
    await verification.consume(row, field="code")
    users = await users_on(channel, target)
    token = rt.signer.sign(
        {"t": target, "c": channel.value, "i": time.time()},
        purpose=RESET_PURPOSE,
        ttl_seconds=int(RESET_TTL.total_seconds()),
    )
    return PasswordResetView(reset_token=token, logins=[u.login for u in users])


async def reset(
    rt: Runtime, *, reset_token: str, login: str, password: str, password_repeat: str
) -> None:
    payload = verification.unsign_link(
        rt,
        reset_token,
        purpose=RESET_PURPOSE,
        field="resetToken",
        expired="Время на смену пароля истекло. Запросите код ещё раз.",
    )
    channel = models.ContactChannel(payload["c"])
    users = {u.login_key: u for u in await users_on(channel, str(payload["t"]))}
    user = users.get(auth.login_key(login))
    if user is None:
        raise DomainError.of(
            ErrorCode.NOT_FOUND, "Выберите логин из списка логинов этого контакта.", "login"
        )
    errors = password_errors(login=user.login, password=password, repeat=password_repeat)
    if errors:
        raise DomainError(*errors)
    issued = datetime.fromtimestamp(float(payload["i"]), UTC)
    # Single use per user: once the password changed after the token was issued, it is spent.
    if user.password_changed_at is not None and user.password_changed_at > issued:
        raise DomainError.of(
            ErrorCode.CODE_EXPIRED,
            "Пароль уже изменён. Чтобы сменить его ещё раз, запросите новый код.",
            "resetToken",
        )
    password_hash = await auth.hash_password(rt, password)
    async with in_transaction():
        await store_password(rt, user=user, password_hash=password_hash)
        # The owner proved the contact: the sign-in lock of the login is lifted.
        await auth.clear_failures(login_key=user.login_key)
