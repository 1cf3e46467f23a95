"""The payment QR code of GOST R 56042-2014 («Стандарты финансовых операций. Двумерные символы
штрихового кода для осуществления платежей физических лиц»): the payload and its picture."""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import segno

import models

# "ST0001" + the encoding digit: 2 is UTF-8 (1 windows-1251, 3 KOI8-R).
HEADER = "ST00012"
DEFAULT_SEPARATOR = "|"
# Tried in order when a value holds "|": the standard lets the payer's app read the separator
# from the character after the header, so any character absent from every value will do.
SPARE_SEPARATORS = "#;^~@$%*!"
# Housing and utility payments («ЖКУ»).
TECH_CODE_UTILITIES = "02"


@dataclass(frozen=True, slots=True)
class Payee:
    """The recipient of the money and its bank details, as printed on the bill."""

    name: str
    settlement_account: str  # PersonalAcc, 20 digits
    bank_name: str
    bic: str  # 9 digits
    correspondent_account: str  # 20 digits, or "0" when the bank has none
    inn: str | None = None
    kpp: str | None = None


@dataclass(frozen=True, slots=True)
class PaymentOrder:
    """What the payer pays for: the sum, the purpose and the account with the supplier."""

    amount: Decimal | None
    purpose: str
    account_number: str
    period: date


def kopecks(amount: Decimal) -> int:
    """Rubles to whole kopecks, exactly; refuses fractions of a kopeck rather than rounding."""
    value = Decimal(amount) * 100
    if value != value.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of kopecks")
    return int(value)


def payload(payee: Payee, order: PaymentOrder) -> str:
    """The text the QR code encodes: the mandatory fields in the standard's order, then ours."""
    _check_digits(payee.settlement_account, 20, "PersonalAcc")
    _check_digits(payee.bic, 9, "BIC")
    if payee.correspondent_account != "0":
        _check_digits(payee.correspondent_account, 20, "CorrespAcc")
    fields: list[tuple[str, str]] = [
        ("Name", payee.name),
        ("PersonalAcc", payee.settlement_account),
        ("BankName", payee.bank_name),
        ("BIC", payee.bic),
        ("CorrespAcc", payee.correspondent_account),
    ]
    if payee.inn:
        fields.append(("PayeeINN", payee.inn))
    if payee.kpp:
        fields.append(("KPP", payee.kpp))
    # Nothing to pay (an overpayment): no sum, so the payer's bank asks for one.
    if order.amount is not None and order.amount > 0:
        fields.append(("Sum", str(kopecks(order.amount))))
    fields += [
        ("Purpose", order.purpose),
        ("PersAcc", order.account_number),
        ("PaymPeriod", order.period.strftime("%m%Y")),
        ("TechCode", TECH_CODE_UTILITIES),
    ]
    cleaned = [(key, _one_line(value)) for key, value in fields]
    for key, value in cleaned:
        if not value:
            raise ValueError(f"{key} is empty")
    separator = choose_separator([value for _, value in cleaned])
    return HEADER + separator + separator.join(f"{key}={value}" for key, value in cleaned)


def choose_separator(values: list[str]) -> str:
    for candidate in DEFAULT_SEPARATOR + SPARE_SEPARATORS:
        if not any(candidate in value for value in values):
            return candidate
    raise ValueError("no separator character is free of the values")


def parse(text: str) -> dict[str, str]:
    """The fields of a payload (the reverse of `payload`), for tests and diagnostics."""
    if not text.startswith(HEADER) or len(text) <= len(HEADER):
        raise ValueError("not a GOST R 56042-2014 payload in UTF-8")
    separator = text[len(HEADER)]
    pairs = (item.split("=", 1) for item in text[len(HEADER) + 1 :].split(separator))
    return {key: value for key, value in pairs}


@functools.lru_cache(maxsize=128)
def png(text: str, *, scale: int = 4) -> bytes:
    """The QR code as PNG. Error correction M, as banks' apps expect on printed bills. Cached:
    choosing the mask takes tens of milliseconds, and a bill is downloaded more than once."""
    buffer = io.BytesIO()
    segno.make_qr(text, error="m", boost_error=False).save(
        buffer, kind="png", scale=scale, border=4
    )
    return buffer.getvalue()


def _check_digits(value: str, length: int, key: str) -> None:
    if len(value) != length or not value.isdigit():
        raise ValueError(f"{key} must be {length} digits")


def _one_line(value: str) -> str:
    return " ".join(value.split())


def for_bill(
    *, recipient: models.Provider, account_number: str, period: date, amount: Decimal | None
) -> str | None:
    """The payload of a bill paid to one recipient; None when its bank details are incomplete
    (a QR code a bank refuses is worse than none)."""
    if not (recipient.settlement_account and recipient.bank_name and recipient.bic):
        return None
    payee = Payee(
        name=recipient.name,
        settlement_account=recipient.settlement_account,
        bank_name=recipient.bank_name,
        bic=recipient.bic,
        correspondent_account=recipient.correspondent_account or "0",
        inn=recipient.inn,
        kpp=recipient.kpp,
    )
    order = PaymentOrder(
        amount=amount,
        purpose=f"Оплата по счёту за {period:%m.%Y}, лицевой счёт {account_number}",
        account_number=account_number,
        period=period,
    )
    try:
        return payload(payee, order)
    except ValueError:
        return None
