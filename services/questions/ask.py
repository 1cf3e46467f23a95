"""askQuestion: a question to support from the cabinet or, without signing in, from the site.

Order of the work: the input is checked first, every problem answered together (nothing is
spent on a typo); a signed-in asker's account number must be one of theirs. Without sign-in
the security code is then checked and spent (services.identity.captcha), and the account number
is only recorded as typed, never looked up, so the form tells nobody whether it exists. Then
one try is reserved of every limit that applies (LK_QUESTIONS_PER_*), all or none, with conditional UPDATEs on
`rate_counter` (services.limits, via services.identity.binding.reserve) before anything is
stored: requests sent at once cannot pass a limit. Last, in one transaction, the question gets
its number and its e-mail to support is queued in the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tortoise.transactions import in_transaction

import models
from infra.runtime import Runtime
from services import contacts, limits, periods
from services.accounts import ACCOUNT_NUMBER_LENGTH, account_for_user
from services.errors import DomainError, ErrorCode, FieldError
from services.identity import binding, captcha
from services.questions import mail
from services.questions.text import QUESTION_MAX, QUESTION_MIN, has_control_characters, plain_text

FIELD = "input"


@dataclass(frozen=True, slots=True)
class AskRequest:
    topic: models.QuestionTopic | None
    text: str | None
    account_number: str | None = None
    email: str | None = None
    phone: str | None = None
    # Without sign-in: the security code, and consent to processing the contact (152-ФЗ).
    captcha_id: str | None = None
    captcha_answer: str | None = None
    consent_to_personal_data: bool = False


@dataclass(frozen=True, slots=True)
class Checked:
    topic: models.QuestionTopic
    text: str
    account_number: str | None
    email: str | None
    phone: str | None


def question_number(question: models.Question, timezone: str) -> str:
    """В-2026-000123: the local year of the question and its id."""
    year = periods.local_today(timezone, question.created_at).year
    return f"В-{year}-{question.id:06d}"


def _optional(value: str | None) -> str | None:
    return (value.strip() or None) if value is not None else None


def check(request: AskRequest, *, signed_in: bool) -> Checked:
    """The input as stored, or every problem of it at once."""
    errors: list[FieldError] = []
    if request.topic is None:
        errors.append(FieldError(ErrorCode.REQUIRED, "Выберите тему вопроса.", f"{FIELD}.topic"))
    text, text_errors = plain_text(
        request.text,
        field=f"{FIELD}.text",
        minimum=QUESTION_MIN,
        maximum=QUESTION_MAX,
        what="Текст вопроса",
    )
    errors += text_errors
    number = _optional(request.account_number)
    if number is not None and (
        len(number) > ACCOUNT_NUMBER_LENGTH or has_control_characters(number, keep="")
    ):
        errors.append(
            FieldError(
                ErrorCode.INVALID_INPUT,
                "Проверьте номер лицевого счёта в квитанции.",
                f"{FIELD}.accountNumber",
            )
        )
        number = None
    email = phone = None
    raw_email, raw_phone = _optional(request.email), _optional(request.phone)
    try:
        email = contacts.email_address(raw_email, field=f"{FIELD}.email") if raw_email else None
    except DomainError as error:
        errors += error.errors
    try:
        phone = contacts.normalize_phone(raw_phone, field=f"{FIELD}.phone") if raw_phone else None
    except DomainError as error:
        errors += error.errors
    if not signed_in and raw_email is None and raw_phone is None:
        errors.append(
            FieldError(
                ErrorCode.REQUIRED,
                "Укажите электронную почту или телефон: на них придёт ответ.",
                f"{FIELD}.email",
            )
        )
    if not signed_in and not request.consent_to_personal_data:
        errors.append(
            FieldError(
                ErrorCode.CONSENT_REQUIRED,
                "Дайте согласие на обработку персональных данных: без него мы не можем ответить.",
                f"{FIELD}.consentToPersonalData",
            )
        )
    if errors:
        raise DomainError(*errors)
    assert request.topic is not None and text is not None
    return Checked(topic=request.topic, text=text, account_number=number, email=email, phone=phone)


async def reserve(
    rt: Runtime, *, checked: Checked, user: models.User | None, source: str | None
) -> None:
    """One try of the source, of the user (signed in) and of each contact, all or none."""
    timezone = rt.settings.timezone
    taken = [
        binding.Limit(
            window=limits.fixed_window(
                f"question:source:{source or 'unknown'}", timedelta(hours=1)
            ),
            limit=rt.settings.questions_per_source_hour,
            code=ErrorCode.RATE_LIMITED,
            message="Слишком много вопросов с этого адреса. Попробуйте через час.",
            field=f"{FIELD}.text",
        )
    ]
    if user is not None:
        taken.append(
            binding.Limit(
                window=limits.local_day(f"question:user:{user.id}", timezone),
                limit=rt.settings.questions_per_user_day,
                code=ErrorCode.RATE_LIMITED,
                message="Сегодня вы задали уже много вопросов. Попробуйте завтра.",
                field=f"{FIELD}.text",
            )
        )
    for contact, field in ((checked.email, "email"), (checked.phone, "phone")):
        if contact is None:
            continue
        taken.append(
            binding.Limit(
                window=limits.local_day(
                    f"question:contact:{limits.digest(contact.lower())}", timezone
                ),
                limit=rt.settings.questions_per_contact_day,
                code=ErrorCode.RATE_LIMITED,
                message="С этим контактом сегодня задано слишком много вопросов. "
                "Попробуйте завтра.",
                field=f"{FIELD}.{field}",
            )
        )
    await binding.reserve(*taken)


async def ask(
    rt: Runtime,
    *,
    user: models.User | None,
    request: AskRequest,
    source: str | None,
) -> models.Question:
    """Stores the question and queues its e-mail to support; answers the stored question."""
    checked = check(request, signed_in=user is not None)
    verified = False
    if user is not None:
        if checked.account_number is not None:
            account = await account_for_user(user.id, checked.account_number)
            if account is None:
                raise DomainError.of(
                    ErrorCode.NOT_FOUND,
                    "Этого лицевого счёта нет среди ваших счетов.",
                    f"{FIELD}.accountNumber",
                )
            verified = True
    else:
        await captcha.verify(
            rt,
            captcha_id=request.captcha_id or "",
            answer=request.captcha_answer or "",
            field=f"{FIELD}.captchaAnswer",
        )
    await reserve(rt, checked=checked, user=user, source=source)
    email, phone = checked.email, checked.phone
    if user is not None and email is None and phone is None:
        # The answer goes where the cabinet's codes and receipts go.
        email = user.email if user.email_confirmed else None
        phone = user.phone if user.phone_confirmed and email is None else None
    async with in_transaction():
        question = await models.Question.create(
            user_id=user.id if user else None,
            topic=checked.topic,
            text=checked.text,
            account_number=checked.account_number,
            account_verified=verified,
            email=email,
            phone=phone,
        )
        question.number = question_number(question, rt.settings.timezone)
        await question.save(update_fields=["number"])
        await mail.to_support(rt, question=question, login=user.login if user else None)
    return question
