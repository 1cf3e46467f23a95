"""The rules for logins and passwords that registration, recovery and the profile share."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import models
from infra.runtime import Runtime
from services.errors import ErrorCode, FieldError
from services.identity import auth

LOGIN_PATTERN = re.compile(r"^[A-Za-zА-Яа-яЁё0-9._-]{3,64}$")
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128


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
    *,
    login: str,
    password: str,
    repeat: str,
    field: str = "password",
    repeat_field: str = "passwordRepeat",
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


async def store_password(
    rt: Runtime, *, user: models.User, password_hash: str, keep: uuid.UUID | None = None
) -> None:
    """A new password (hashed by auth.hash_password) for the user, ending every session but
    `keep`; run inside the caller's transaction."""
    user.password_hash = password_hash
    user.password_changed_at = datetime.now(UTC)
    await user.save(update_fields=["password_hash", "password_changed_at"])
    await auth.revoke_sessions(user_id=user.id, keep=keep, rt=rt)
