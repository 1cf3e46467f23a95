"""Registration in four steps, as in the retailer's guide:

1. start: login, password, phone or e-mail, city, security code, consent (152-ФЗ);
2. bind_account: the account number from the bill, answering its address to the city and
   street to confirm;
3. confirm_binding: «Итого к оплате» of one of the account's last bills proves the registrant
   holds the bill (services.identity.binding); then an SMS code or an activation e-mail with a
   link (resend sends another);
4. complete (the code) or activate_email (the link's token): only now the user exists.

A registration is a row of its own until step 4, so an abandoned one creates nothing and
expires after 24 hours. The registering user becomes the holder of the bound account; an
account that already has a holder cannot be registered again (the customer links it with
linkAccount using the holder's login and password, or asks the office).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

import models
from infra.runtime import Runtime
from services import accounts, contacts
from services.clock import now
from services.errors import DomainError, ErrorCode, FieldError
from services.identity import auth, binding, captcha, verification
from services.identity.credentials import login_errors, password_errors
from services.ids import parse_uuid
from services.messages import outbox

TTL = timedelta(hours=24)
ACTIVATION_TTL = timedelta(hours=24)
ACTIVATION_PATH = "/register/activate"
ACTIVATION_PURPOSE = "registration-activation"
# The version of the personal-data consent text the forms show (152-ФЗ).
CONSENT_TEXT_VERSION = "2024-01"
PURPOSE = models.VerificationPurpose.REGISTRATION
DEFAULT_CITY = "Нижний Тагил"

SMS_TEXT = "Код для регистрации в личном кабинете: {code}. Никому не сообщайте его."
EMAIL_SUBJECT = "Подтверждение регистрации в личном кабинете"
EMAIL_TEXT = """Здравствуйте!

Вы регистрируетесь в личном кабинете клиента с логином {login}
(лицевой счёт {account}).

Чтобы завершить регистрацию, перейдите по ссылке:
{link}

Ссылка действует 24 часа. Если вы не регистрировались, просто удалите это письмо.

С уважением,
служба поддержки клиентов
"""


@dataclass(frozen=True, slots=True)
class RegistrationRequest:
    login: str
    password: str
    password_repeat: str
    channel: models.ContactChannel
    phone: str | None
    email: str | None
    city: str
    captcha_id: str
    captcha_answer: str
    consent_to_personal_data: bool


@dataclass(frozen=True, slots=True)
class RegistrationView:
    id: str
    channel: models.ContactChannel
    address: str | None
    account_number: str | None
    sent_to: str | None
    codes_left_today: int

def _target(registration: models.Registration) -> str:
    if registration.channel == models.ContactChannel.PHONE:
        return registration.phone or ""
    return registration.email or ""


async def _view(rt: Runtime, registration: models.Registration) -> RegistrationView:
    account = await _bound_account(registration)
    target = _target(registration)
    return RegistrationView(
        id=str(registration.id),
        channel=registration.channel,
        address=_address(registration, account),
        account_number=account.number if account else None,
        sent_to=contacts.mask(target) if registration.binding_confirmed_at else None,
        codes_left_today=await verification.left_today(rt, purpose=PURPOSE, target=target),
    )


def _address(registration: models.Registration, account: models.Account | None) -> str | None:
    """The full address only once the registrant proved they hold the bill (step 3)."""
    if account is None:
        return None
    if registration.binding_confirmed_at is None:
        return binding.masked_address(account)
    return account.address


async def start(rt: Runtime, *, request: RegistrationRequest, ip: str | None) -> RegistrationView:
    errors: list[FieldError] = []
    login = request.login.strip()
    errors += login_errors(login, field="input.login")
    errors += password_errors(
        login=login,
        password=request.password,
        repeat=request.password_repeat,
        field="input.password",
        repeat_field="input.passwordRepeat",
    )
    phone = email = None
    try:
        if request.channel == models.ContactChannel.PHONE:
            phone = contacts.normalize_phone(request.phone, field="input.phone")
        else:
            email = contacts.normalize_email(request.email, field="input.email")
    except DomainError as error:
        errors += error.errors
    city = " ".join(request.city.split()) or DEFAULT_CITY
    if len(city) > 128:
        errors.append(
            FieldError(ErrorCode.INVALID_INPUT, "Слишком длинное название.", "input.city")
        )
    if not request.consent_to_personal_data:
        errors.append(
            FieldError(
                ErrorCode.CONSENT_REQUIRED,
                "Чтобы зарегистрироваться, дайте согласие на обработку персональных данных.",
                "input.consentToPersonalData",
            )
        )
    if errors:
        raise DomainError(*errors)
    # The security code comes before anything read from the database: whether a login is
    # taken is not told to a robot.
    await captcha.verify(
        rt,
        captcha_id=request.captcha_id,
        answer=request.captcha_answer,
        field="input.captchaAnswer",
    )
    if await models.User.exists(login_key=auth.login_key(login)):
        raise DomainError.of(
            ErrorCode.ALREADY_EXISTS, "Этот логин уже занят. Выберите другой.", "input.login"
        )
    registration = await models.Registration.create(
        id=uuid.uuid4(),
        login=login,
        login_key=auth.login_key(login),
        password_hash=await auth.hash_password(rt, request.password),
        channel=request.channel,
        phone=phone,
        email=email,
        city=city,
        consent_text_version=CONSENT_TEXT_VERSION,
        consent_at=now(),
        consent_ip=ip,
        expires_at=now() + TTL,
    )
    return await _view(rt, registration)


async def _load(registration_id: str, *, lock: bool = False) -> models.Registration:
    field = "registrationId"
    key = parse_uuid(registration_id)
    query = models.Registration.filter(id=key)
    row = await (query.select_for_update() if lock else query).first() if key else None
    if row is None or row.expires_at <= now():
        raise DomainError.of(
            ErrorCode.NOT_FOUND,
            "Регистрация не найдена или истекла. Начните регистрацию заново.",
            field,
        )
    if row.completed_at is not None:
        raise DomainError.of(
            ErrorCode.INVALID_INPUT,
            "Регистрация уже завершена. Войдите с логином и паролем.",
            field,
        )
    return row


async def _bound_account(registration: models.Registration) -> models.Account | None:
    """The account bound at step 2, if any."""
    if registration.account_id is None:
        return None
    return await models.Account.get_or_none(id=registration.account_id)


async def _bound_number(registration: models.Registration) -> str:
    """The number of the account bound at step 2 ("" before it: no account has that number)."""
    account = await _bound_account(registration)
    return account.number if account else ""


async def _account_without_holder(number: str, *, field: str, lock: bool = False) -> models.Account:
    stored = accounts.account_number(number)
    query = models.Account.filter(number=stored)
    account = await (query.select_for_update() if lock else query).first() if stored else None
    if account is None:
        raise DomainError.of(
            ErrorCode.NOT_FOUND, "Лицевой счёт не найден. Проверьте номер в квитанции.", field
        )
    if await models.UserAccount.exists(account_id=account.id, is_holder=True):
        raise DomainError.of(
            ErrorCode.ALREADY_EXISTS,
            "Этот лицевой счёт уже зарегистрирован в личном кабинете. Если вы знаете логин и "
            "пароль владельца, добавьте счёт в настройках профиля (привязка счёта), "
            "иначе обратитесь в офис обслуживания.",
            field,
        )
    return account


async def bind_account(
    rt: Runtime, *, registration_id: str, account_number: str, ip: str | None
) -> RegistrationView:
    registration = await _load(registration_id)
    if not account_number.strip():
        raise DomainError.of(
            ErrorCode.REQUIRED, "Укажите номер лицевого счёта из квитанции.", "accountNumber"
        )
    # Each lookup tells whether a number can be registered, and its street: limited per
    # registration and per source, and reserved before the lookup.
    await binding.reserve_lookup(rt, registration=registration, ip=ip)
    number = accounts.account_number(account_number)
    account = await models.Account.filter(number=number).first() if number else None
    if account is None or await models.UserAccount.exists(account_id=account.id, is_holder=True):
        raise binding.not_registrable("accountNumber")
    async with in_transaction():
        registration.account = account
        # Another number means the address must be confirmed again; codes sent for the
        # previous one stop working.
        registration.binding_confirmed_at = None
        await registration.save(update_fields=["account_id", "binding_confirmed_at"])
        await models.VerificationCode.filter(registration_id=registration.id, used_at=None).update(
            used_at=now()
        )
    return await _view(rt, registration)


async def confirm_binding(
    rt: Runtime, *, registration_id: str, bill_total: Decimal
) -> RegistrationView:
    registration = await _load(registration_id)
    if registration.account_id is None:
        raise DomainError.of(
            ErrorCode.INVALID_INPUT, "Сначала укажите номер лицевого счёта.", "registrationId"
        )
    total = binding.bill_total(bill_total)
    account = await _account_without_holder(
        await _bound_number(registration), field="registrationId"
    )
    await binding.prove_bill(rt, registration=registration, account=account, total=total)
    return await _send(rt, registration, account_id=account.id)


async def resend(rt: Runtime, *, registration_id: str) -> RegistrationView:
    registration = await _load(registration_id)
    if registration.binding_confirmed_at is None:
        raise DomainError.of(
            ErrorCode.INVALID_INPUT,
            "Сначала укажите лицевой счёт и подтвердите адрес.",
            "registrationId",
        )
    # A confirmed binding always names its account (confirm_binding sets both at once).
    assert registration.account_id is not None
    return await _send(rt, registration, account_id=registration.account_id, resending=True)


async def _send(
    rt: Runtime, registration: models.Registration, *, account_id: int, resending: bool = False
) -> RegistrationView:
    account = await _account_without_holder(
        await _bound_number(registration), field="registrationId"
    )
    target = _target(registration)
    async with in_transaction():
        # Locked, so that two quick presses cannot both pass the daily limit.
        registration = await _load(str(registration.id), lock=True)
        # The bill proved this account: a bindAccount with another number in the meantime
        # must not inherit the proof.
        if registration.account_id != account_id or (
            resending and registration.binding_confirmed_at is None
        ):
            raise _binding_changed()
        await verification.require_quota(rt, purpose=PURPOSE, target=target, field="registrationId")
        registration.binding_confirmed_at = now()
        await registration.save(update_fields=["binding_confirmed_at"])
        if registration.channel == models.ContactChannel.PHONE:
            code = await verification.issue(
                rt, purpose=PURPOSE, target=target, registration=registration
            )
            await verification.send_code_sms(to=target, text=SMS_TEXT, code=code)
        else:
            nonce = await verification.issue(
                rt,
                purpose=PURPOSE,
                target=target,
                registration=registration,
                link=True,
                ttl=ACTIVATION_TTL,
            )
            link = activation_link(rt, registration, nonce)
            await outbox.enqueue_email(
                rt=rt,
                to=target,
                subject=EMAIL_SUBJECT,
                body=EMAIL_TEXT.format(login=registration.login, account=account.number, link=link),
                secrets=[link],
                expires_in=ACTIVATION_TTL,
            )
    return await _view(rt, registration)


def activation_link(rt: Runtime, registration: models.Registration, nonce: str) -> str:
    return verification.signed_link(
        rt,
        ACTIVATION_PATH,
        {"r": str(registration.id), "n": nonce},
        purpose=ACTIVATION_PURPOSE,
        ttl=ACTIVATION_TTL,
    )


async def complete(
    rt: Runtime, *, registration_id: str, code: str, ip: str | None, user_agent: str | None
) -> auth.Tokens:
    registration = await _load(registration_id)
    if registration.channel != models.ContactChannel.PHONE:
        raise DomainError.of(
            ErrorCode.INVALID_INPUT,
            "Регистрация по e-mail завершается по ссылке из письма.",
            "registrationId",
        )
    if registration.binding_confirmed_at is None:
        raise DomainError.of(
            ErrorCode.INVALID_INPUT,
            "Сначала подтвердите адрес, чтобы получить код.",
            "registrationId",
        )
    row = (
        await models.VerificationCode.filter(registration_id=registration.id, purpose=PURPOSE)
        .order_by("-created_at", "-id")
        .first()
    )
    row = await verification.check_code(rt, row, code, field="code")
    return await _finish(rt, registration, row, field="code", ip=ip, user_agent=user_agent)


async def activate_email(
    rt: Runtime, *, token: str, ip: str | None, user_agent: str | None
) -> auth.Tokens:
    payload = verification.unsign_link(rt, token, purpose=ACTIVATION_PURPOSE, field="token")
    registration = await _load(str(payload.get("r")))
    row = await verification.find_link(
        rt, purpose=PURPOSE, target=_target(registration), nonce=str(payload.get("n"))
    )
    if row is not None and row.registration_id != registration.id:
        row = None
    row = await verification.check_link(rt, row, field="token")
    return await _finish(rt, registration, row, field="token", ip=ip, user_agent=user_agent)


async def _finish(
    rt: Runtime,
    registration: models.Registration,
    code: models.VerificationCode,
    *,
    field: str,
    ip: str | None,
    user_agent: str | None,
) -> auth.Tokens:
    try:
        async with in_transaction():
            # Registration first, then the account: the same order everywhere, so two
            # registrations of one account cannot both make their user its holder.
            registration = await _load(str(registration.id), lock=True)
            account = await _account_without_holder(
                await _bound_number(registration), field="registrationId", lock=True
            )
            await verification.consume(code, field=field)
            if await models.User.exists(login_key=registration.login_key):
                raise _login_taken()
            phone_channel = registration.channel == models.ContactChannel.PHONE
            user = await models.User.create(
                login=registration.login,
                login_key=registration.login_key,
                password_hash=registration.password_hash,
                phone=registration.phone,
                phone_confirmed=phone_channel,
                email=registration.email,
                email_confirmed=not phone_channel,
                city=registration.city,
                password_changed_at=now(),
            )
            await models.UserAccount.create(user=user, account=account, is_holder=True)
            await models.Consent.create(
                user=user,
                text_version=registration.consent_text_version,
                given_at=registration.consent_at,
                ip=registration.consent_ip,
            )
            registration.completed_at = now()
            await registration.save(update_fields=["completed_at"])
            return await auth.open_session(rt, user=user, ip=ip, user_agent=user_agent)
    except IntegrityError:
        # The login was taken by a registration that completed a moment earlier.
        raise _login_taken() from None


def _binding_changed() -> DomainError:
    return DomainError.of(
        ErrorCode.INVALID_INPUT,
        "Номер лицевого счёта изменился. Подтвердите его суммой из квитанции.",
        "registrationId",
    )


def _login_taken() -> DomainError:
    return DomainError.of(
        ErrorCode.ALREADY_EXISTS,
        "Этот логин уже занят. Начните регистрацию заново с другим логином.",
        "registrationId",
    )


async def purge_expired(*, before: datetime) -> int:
    """Deletes registrations (completed or abandoned) that expired before `before`."""
    return await models.Registration.filter(expires_at__lt=before).delete()
