"""Registration, the security code, password recovery, profile settings and linked accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import models


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
