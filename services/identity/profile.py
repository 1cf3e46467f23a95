"""The signed-in user's profile: password, e-mail and phone (confirmed before they count) and
settings. Accounts linked from other users: services/identity/linked_accounts.py."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

import models
from infra.runtime import Runtime
from services import contacts, limits
from services.ebill import subscriptions as ebill_subscriptions
from services.errors import DomainError, ErrorCode, FieldError
from services.identity import auth, verification
from services.identity.credentials import password_errors, store_password
from services.messages import outbox, templates

EMAIL_LINK_TTL = timedelta(hours=24)
EMAIL_LINK_PATH = "/profile/confirm-email"
EMAIL_LINK_PURPOSE = "confirm-email"

PHONE_SMS_TEXT = "Код для подтверждения номера в личном кабинете: {code}. Никому не сообщайте его."
EMAIL_SUBJECT = "Подтверждение адреса электронной почты"
EMAIL_TEXT = """Здравствуйте!

В личном кабинете клиента (логин {login}) указан новый адрес электронной почты.
Чтобы подтвердить его, перейдите по ссылке:
{link}

Ссылка действует 24 часа. До подтверждения письма и копии чеков приходят на прежний адрес.
Если вы не меняли адрес, просто удалите это письмо.

С уважением,
служба поддержки клиентов
"""


# --- the current password


async def check_current_password(
    rt: Runtime, *, user: models.User, password: str, ip: str | None
) -> None:
    """The signed-in user's own password, asked before changing the password, the e-mail or
    the phone: a stolen session alone must not be enough to take the account over.

    The password is checked as at sign-in (auth.verify_credentials), so wrong ones count
    towards the login's sign-in limit. Before that, the try is reserved on a counter of the
    user's own (a conditional UPDATE, services.limits): of any number of tries sent at once at
    most FAILED_LOGINS_LIMIT within the window are judged, the rest answer TOO_MANY_ATTEMPTS
    without touching the hash. A right password gives its try back.
    """
    field = "currentPassword"
    if not password:
        raise DomainError.of(ErrorCode.REQUIRED, "Введите текущий пароль.", field)
    window = limits.fixed_window(f"current-password:{user.id}", auth.FAILED_LOGINS_WINDOW)
    if not await limits.reserve(window, limit=auth.FAILED_LOGINS_LIMIT):
        raise DomainError.of(
            ErrorCode.TOO_MANY_ATTEMPTS,
            "Слишком много неверных попыток ввода пароля. Попробуйте через 15 минут.",
            field,
        )
    try:
        await auth.verify_credentials(rt, login=user.login, password=password, ip=ip, field=field)
    except DomainError as error:
        if any(e.code == ErrorCode.INVALID_CREDENTIALS for e in error.errors):
            # No login was typed: the message is about the current password only.
            raise DomainError.of(
                ErrorCode.INVALID_CREDENTIALS, "Неверный текущий пароль.", field
            ) from None
        # Refused without being judged (the sign-in limit): the try was not spent.
        await limits.release(window)
        raise
    await limits.release(window)


# --- password


async def change_password(
    rt: Runtime,
    *,
    user: models.User,
    session_id: uuid.UUID,
    current_password: str,
    password: str,
    password_repeat: str,
    ip: str | None,
) -> None:
    errors = password_errors(login=user.login, password=password, repeat=password_repeat)
    # The current password is checked (and a wrong one counted, as at sign-in) first.
    await check_current_password(rt, user=user, password=current_password, ip=ip)
    if errors:
        raise DomainError(*errors)
    password_hash = await auth.hash_password(rt, password)
    async with in_transaction():
        await store_password(rt, user=user, password_hash=password_hash, keep=session_id)


# --- e-mail and phone


async def change_contact(
    rt: Runtime,
    *,
    user: models.User,
    channel: models.ContactChannel,
    contact: str,
    current_password: str,
    ip: str | None,
) -> None:
    """Starts a change of the e-mail (a confirmation link) or the phone (an SMS code); the new
    contact replaces the old one once confirmed (confirm_email, confirm_phone)."""
    target = await _new_contact(rt, user, channel, contact, password=current_password, ip=ip)
    if channel == models.ContactChannel.EMAIL:
        purpose, field = models.VerificationPurpose.CHANGE_EMAIL, "email"
    else:
        purpose, field = models.VerificationPurpose.CHANGE_PHONE, "phone"
    async with in_transaction():
        await verification.require_quota(rt, purpose=purpose, target=target, field=field)
        if channel == models.ContactChannel.EMAIL:
            await _send_email_link(rt, user=user, target=target)
        else:
            code = await verification.issue(rt, purpose=purpose, target=target, user=user)
            await verification.send_code_sms(to=target, text=PHONE_SMS_TEXT, code=code)


async def _send_email_link(rt: Runtime, *, user: models.User, target: str) -> None:
    nonce = await verification.issue(
        rt,
        purpose=models.VerificationPurpose.CHANGE_EMAIL,
        target=target,
        user=user,
        link=True,
        ttl=EMAIL_LINK_TTL,
    )
    # Short keys; "p" and "e" are the signer's own (purpose, expiry).
    link = verification.signed_link(
        rt,
        EMAIL_LINK_PATH,
        {"u": user.id, "m": target, "n": nonce},
        purpose=EMAIL_LINK_PURPOSE,
        ttl=EMAIL_LINK_TTL,
    )
    await outbox.enqueue_email(
        rt=rt,
        to=target,
        subject=EMAIL_SUBJECT,
        body=EMAIL_TEXT.format(login=user.login, link=link),
        secrets=[link],
        expires_in=EMAIL_LINK_TTL,
    )


async def confirm_email(rt: Runtime, *, viewer: models.User | None, token: str) -> models.User:
    """The link's token proves both the user and the address; a different signed-in user is
    refused."""
    payload = verification.unsign_link(rt, token, purpose=EMAIL_LINK_PURPOSE, field="token")
    target = str(payload.get("m"))
    row = await verification.find_link(
        rt,
        purpose=models.VerificationPurpose.CHANGE_EMAIL,
        target=target,
        nonce=str(payload.get("n")),
    )
    if row is not None and row.user_id != payload.get("u"):
        row = None
    row = await verification.check_link(rt, row, field="token")
    if viewer is not None and viewer.id != row.user_id:
        raise DomainError.of(
            ErrorCode.FORBIDDEN, "Ссылка предназначена для другого пользователя.", "token"
        )
    async with in_transaction():
        await verification.consume(row, field="token")
        user = await models.User.get(id=row.user_id)
        await _replace_contact(rt, user, models.ContactChannel.EMAIL, target)
    return user


async def confirm_phone(rt: Runtime, *, user: models.User, code: str) -> models.User:
    row = (
        await models.VerificationCode.filter(
            user_id=user.id, purpose=models.VerificationPurpose.CHANGE_PHONE
        )
        .order_by("-created_at", "-id")
        .first()
    )
    row = await verification.check_code(rt, row, code, field="code")
    async with in_transaction():
        await verification.consume(row, field="code")
        await _replace_contact(rt, user, models.ContactChannel.PHONE, row.target)
    return user


async def _new_contact(
    rt: Runtime,
    user: models.User,
    channel: models.ContactChannel,
    value: str,
    *,
    password: str,
    ip: str | None,
) -> str:
    """The new e-mail or phone, normalised, once the current password is right and it is not
    the user's confirmed one already. A malformed contact and a missing password are told
    together, before the password is checked (a typo does not spend a try)."""
    if channel == models.ContactChannel.EMAIL:
        field, normalize, already = "email", contacts.normalize_email, "Этот адрес уже подтверждён."
        current, confirmed = user.email, user.email_confirmed
    else:
        field, normalize, already = "phone", contacts.normalize_phone, "Этот номер уже подтверждён."
        current, confirmed = user.phone, user.phone_confirmed
    errors: list[FieldError] = []
    try:
        target = normalize(value, field=field)
    except DomainError as error:
        errors += error.errors
    if not password:
        errors.append(FieldError(ErrorCode.REQUIRED, "Введите текущий пароль.", "currentPassword"))
    if errors:
        raise DomainError(*errors)
    await check_current_password(rt, user=user, password=password, ip=ip)
    if current == target and confirmed:
        raise DomainError.of(ErrorCode.INVALID_INPUT, already, field)
    return target


async def _replace_contact(
    rt: Runtime, user: models.User, channel: models.ContactChannel, target: str
) -> None:
    """Makes the confirmed target the user's e-mail or phone, in the caller's transaction, and
    tells the previous confirmed contact (_tell_old_contact)."""
    if channel == models.ContactChannel.EMAIL:
        old = user.email if user.email_confirmed and user.email != target else None
        email, phone = old, None if old else _confirmed_phone(user)
        sms, text = templates.EMAIL_CHANGED_SMS, templates.EMAIL_CHANGED_TEXT
        user.email, user.email_confirmed = target, True
        fields = ["email", "email_confirmed"]
        # Bills ordered in the cabinet go to the profile's address.
        await ebill_subscriptions.follow_email(user_id=user.id, email=target)
    else:
        old = user.phone if user.phone_confirmed and user.phone != target else None
        email, phone = None if old else _confirmed_email(user), old
        sms, text = templates.PHONE_CHANGED_SMS, templates.PHONE_CHANGED_TEXT
        user.phone, user.phone_confirmed = target, True
        fields = ["phone", "phone_confirmed"]
    await _tell_old_contact(
        rt, user, email=email, phone=phone, sms=sms, text=text, new=contacts.mask(target)
    )
    user.contacts_updated_at = datetime.now(UTC)
    await user.save(update_fields=[*fields, "contacts_updated_at"])


def _confirmed_phone(user: models.User) -> str | None:
    return user.phone if user.phone and user.phone_confirmed else None


def _confirmed_email(user: models.User) -> str | None:
    return user.email if user.email and user.email_confirmed else None


async def _tell_old_contact(
    rt: Runtime,
    user: models.User,
    *,
    email: str | None,
    phone: str | None,
    sms: str,
    text: str,
    new: str,
) -> None:
    """Tells the previous confirmed contact that the e-mail or phone changed (the old address
    itself, else the other confirmed contact), in the transaction of the change: if the change
    was a thief's, the customer learns it where the thief cannot read."""
    if email:
        await outbox.enqueue_email(
            to=email,
            subject=templates.CONTACT_CHANGED_SUBJECT,
            body=text.format(login=user.login, new=new),
            rt=rt,
        )
    elif phone:
        await outbox.enqueue_sms(to=phone, body=sms.format(login=user.login, new=new))


# --- settings


async def update_settings(
    *,
    user: models.User,
    subscribed_to_mailing: bool | None,
    allow_readings_without_auth: bool | None,
    receipt_copies: bool | None,
    reminder_channel: models.ReminderChannel | None = None,
) -> models.User:
    """Only the given settings change. Receipt copies go to the confirmed e-mail, if any.
    Reminders by e-mail or SMS need that contact confirmed (else INVALID_INPUT, nothing
    changed): a reminder must not go to an address nobody proved."""
    if reminder_channel is not None:
        _check_reminder_channel(user, reminder_channel)
    changes = {
        "subscribed_to_mailing": subscribed_to_mailing,
        "allow_readings_without_auth": allow_readings_without_auth,
        "receipt_copies": receipt_copies,
        "reminder_channel": reminder_channel,
    }
    changed = [name for name, value in changes.items() if value is not None]
    for name in changed:
        setattr(user, name, changes[name])
    if changed:
        user.contacts_updated_at = datetime.now(UTC)
        await user.save(update_fields=[*changed, "contacts_updated_at"])
    return user


def _check_reminder_channel(user: models.User, channel: models.ReminderChannel) -> None:
    if channel == models.ReminderChannel.EMAIL and not _confirmed_email(user):
        message = "Чтобы получать напоминания по электронной почте, подтвердите адрес."
    elif channel == models.ReminderChannel.SMS and not _confirmed_phone(user):
        message = "Чтобы получать напоминания по SMS, подтвердите номер телефона."
    else:
        return
    raise DomainError.of(ErrorCode.INVALID_INPUT, message, "reminderChannel")
