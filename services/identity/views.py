"""Registration, the security code, password recovery, profile settings and linked accounts:
the views they answer and the rules for logins and passwords they share.

The flows live beside this module, one concern each: services/captcha.py,
services/verification.py (one-time codes and links), services/registration.py,
services/recovery.py, services/profile.py; services/contacts.py normalises phones and e-mails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import models
from services.errors import ErrorCode, FieldError

DEFAULT_CITY = "Нижний Тагил"
LOGIN_PATTERN = re.compile(r"^[A-Za-zА-Яа-яЁё0-9._-]{3,64}$")
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128


@dataclass(frozen=True, slots=True)
class CaptchaView:
    id: str
    # data: URL of the image
    image: str
    expires_at: datetime


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


@dataclass(frozen=True, slots=True)
class PasswordResetView:
    reset_token: str | None
    logins: list[str]


def login_errors(login: str, *, field: str) -> list[FieldError]:
    if not login.strip():
        return [FieldError(ErrorCode.REQUIRED, "Придумайте логин.", field)]
    if not LOGIN_PATTERN.fullmatch(login.strip()):
        return [
            FieldError(
                ErrorCode.INVALID_INPUT,
                "Логин — от 3 до 64 символов: буквы, цифры, точка, дефис и подчёркивание.",
                field,
            )
        ]
    return []


def password_errors(
    *, login: str, password: str, repeat: str, field: str, repeat_field: str
) -> list[FieldError]:
    """At least 8 characters, not the login (in any case), the repeat the same."""
    errors = []
    if len(password) < PASSWORD_MIN_LENGTH:
        errors.append(
            FieldError(
                ErrorCode.WEAK_PASSWORD,
                f"Пароль должен быть не короче {PASSWORD_MIN_LENGTH} символов.",
                field,
            )
        )
    elif len(password) > PASSWORD_MAX_LENGTH:
        errors.append(
            FieldError(
                ErrorCode.INVALID_INPUT,
                f"Пароль должен быть не длиннее {PASSWORD_MAX_LENGTH} символов.",
                field,
            )
        )
    elif password.strip().casefold() == login.strip().casefold():
        errors.append(
            FieldError(ErrorCode.WEAK_PASSWORD, "Пароль не должен совпадать с логином.", field)
        )
    if password != repeat:
        errors.append(FieldError(ErrorCode.PASSWORD_MISMATCH, "Пароли не совпадают.", repeat_field))
    return errors
