"""Error codes and the domain exception every service raises for an expected failure."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class ErrorCode(Enum):
    INVALID_INPUT = "INVALID_INPUT"
    REQUIRED = "REQUIRED"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    PASSWORD_MISMATCH = "PASSWORD_MISMATCH"
    WEAK_PASSWORD = "WEAK_PASSWORD"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    INVALID_CODE = "INVALID_CODE"
    CODE_EXPIRED = "CODE_EXPIRED"
    TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS"
    RATE_LIMITED = "RATE_LIMITED"
    CAPTCHA_INVALID = "CAPTCHA_INVALID"
    CONSENT_REQUIRED = "CONSENT_REQUIRED"
    READING_NOT_GREATER = "READING_NOT_GREATER"
    READING_TOO_HIGH = "READING_TOO_HIGH"
    AMOUNT_INVALID = "AMOUNT_INVALID"
    TOTAL_NOT_CONFIRMED = "TOTAL_NOT_CONFIRMED"
    PAYMENT_NOT_CANCELABLE = "PAYMENT_NOT_CANCELABLE"
    PROVIDER_ERROR = "PROVIDER_ERROR"
    TOKEN_EXPIRED = "TOKEN_EXPIRED"
    CAPTCHA_REQUIRED = "CAPTCHA_REQUIRED"
    IDEMPOTENCY_CONFLICT = "IDEMPOTENCY_CONFLICT"
    PAY_TOKEN_INVALID = "PAY_TOKEN_INVALID"
    PAY_TOKEN_USED = "PAY_TOKEN_USED"


@dataclass(frozen=True, slots=True)
class FieldError:
    """One expected failure: a code, a Russian message and the input path it is about."""

    code: ErrorCode
    message: str
    field: str | None = None


class DomainError(Exception):
    """An expected failure of a service call; carries one or more field errors."""

    def __init__(self, *errors: FieldError) -> None:
        super().__init__("; ".join(f"{e.code.value}: {e.message}" for e in errors))
        self.errors: list[FieldError] = list(errors)

    @classmethod
    def of(cls, code: ErrorCode, message: str, field: str | None = None) -> DomainError:
        return cls(FieldError(code, message, field))


def unauthenticated() -> DomainError:
    return DomainError.of(ErrorCode.UNAUTHENTICATED, "Войдите в личный кабинет.")


def reversed_range() -> DomainError:
    """A date range whose start (`from`) lies after its end."""
    return DomainError.of(ErrorCode.INVALID_INPUT, "Начало периода позже его окончания.", "from")
