"""Phones and e-mails: normalising what customers type, and masking where a code went."""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from services.errors import DomainError, ErrorCode


def normalize_phone(value: str | None, *, field: str) -> str:
    """+7XXXXXXXXXX from '8 (999) 123-45-26', '+7 999 123 45 26' and the like."""
    if not value or not value.strip():
        raise DomainError.of(ErrorCode.REQUIRED, "Укажите номер телефона.", field)
    try:
        number = phonenumbers.parse(value, "RU")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or number.country_code != 7 or not phonenumbers.is_valid_number(number):
        raise DomainError.of(
            ErrorCode.INVALID_INPUT,
            "Укажите российский номер телефона, например +7 999 123-45-67.",
            field,
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def valid_email(value: str) -> str | None:
    """The address as typed, checked (no DNS look-up) and normalised by email-validator (the
    domain in lower case, the local part as given); None when it is not an e-mail address.
    Every e-mail a customer types is checked here."""
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def normalize_email(value: str | None, *, field: str) -> str:
    """A contact address, as stored: checked by valid_email, then in lower case."""
    if not value or not value.strip():
        raise DomainError.of(ErrorCode.REQUIRED, "Укажите адрес электронной почты.", field)
    # Stored in lower case: addresses are compared (and logins found) case-insensitively.
    return email_address(value, field=field).lower()


def email_address(value: str, *, field: str) -> str:
    """The address in its normal form (the domain in lower case, the local part as typed), e.g.
    where a copy of a receipt or a document goes; INVALID_INPUT if it is not an address."""
    checked = valid_email(value)
    if checked is None:
        raise DomainError.of(ErrorCode.INVALID_INPUT, "Проверьте адрес электронной почты.", field)
    return checked


def is_email(contact: str) -> bool:
    return "@" in contact


def mask_phone(phone: str) -> str:
    """'+79991234526' → '+7 999 ***-**-26'."""
    digits = phone.removeprefix("+7")
    return f"+7 {digits[:3]} ***-**-{digits[-2:]}"


def mask_email(email: str) -> str:
    """'ivanov@ivan.ru' → 'iv***@ivan.ru'."""
    local, _, domain = email.partition("@")
    shown = local[:2] if len(local) > 2 else local[:1]
    return f"{shown}***@{domain}"


def mask(contact: str) -> str:
    return mask_email(contact) if is_email(contact) else mask_phone(contact)
