"""Proof that a registrant holds the bill before an account is bound (registration steps 2–3).

Knowing an account number is not enough to become its holder: bindAccount shows the address
only to the city and street (as the sign-up screen of the retailer's guide does), and
confirmBinding asks for «Итого к оплате» of one of the account's last three bills. Both are
limited, and every try is reserved (services.limits: a conditional UPDATE of a counter row)
before it is judged, so requests sent at once cannot get more tries than the limit:

- bindAccount: BIND_PER_REGISTRATION numbers per registration, and
  `LK_BIND_ACCOUNT_PER_SOURCE_HOUR` per source (IP address) an hour;
- confirmBinding: BILL_TRIES_PER_REGISTRATION per registration, and BILL_TRIES_PER_ACCOUNT_DAY
  per account a day (since local midnight in `LK_TIMEZONE`), over all registrations.

An account without any bill yet cannot be proven this way: it is bound at the office.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from tortoise.transactions import in_transaction

import models
from infra.runtime import Runtime
from services import limits
from services.errors import DomainError, ErrorCode

BIND_PER_REGISTRATION = 5
BILL_TRIES_PER_REGISTRATION = 3
BILL_TRIES_PER_ACCOUNT_DAY = 10
# «Итого к оплате» of one of this many latest bills is accepted.
BILLS_ACCEPTED = 3

CENT = Decimal("0.01")
MAX_TOTAL = Decimal(10) ** 12

# A part of an address from the house on: house, building, flat, office, room...
_HOUSE_PART = re.compile(
    r"^(?:\d|№|(?:д|дом|влд|владение|корп|корпус|к|стр|строение|лит|литера|кв|квартира|"
    r"оф|офис|пом|помещение|комн|комната|уч|участок)(?=[\s.\d№]|$))",
    re.IGNORECASE,
)
_POSTCODE = re.compile(r"^\d{6}$")


def masked_address(account: models.Account) -> str:
    """The address to the city and street: the house, flat and anything after are left out,
    so that a number alone does not tell where its customer lives."""
    parts = [part.strip() for part in account.address.split(",") if part.strip()]
    parts = [part for part in parts if not _POSTCODE.match(part)]
    kept: list[str] = []
    for part in parts:
        if _HOUSE_PART.match(part):
            return ", ".join(kept) or account.city
        kept.append(part)
    # No part looks like a house: the house may be written into the last part ("ул Мира 5"),
    # so that part is left out too.
    return ", ".join(kept[:-1]) or account.city


@dataclass(frozen=True, slots=True)
class Limit:
    """One counter (services.limits): at most `limit` tries in `window`, else `code`."""

    window: limits.Window
    limit: int
    code: ErrorCode
    message: str
    field: str


async def reserve(*taken: Limit, count_left: bool = False) -> list[int]:
    """Takes one try of every limit, all or none (in one transaction: a full one undoes the
    others and raises its error). Each try is a conditional UPDATE (services.limits.reserve),
    so concurrent tries never pass a limit. With `count_left`, answers the tries left of each
    after this one (one more statement per limit); else an empty list."""
    left: list[int] = []
    async with in_transaction():
        for limit in taken:
            if not await limits.reserve(limit.window, limit=limit.limit):
                raise DomainError.of(limit.code, limit.message, limit.field)
            if count_left:
                left.append(max(limit.limit - await limits.used(limit.window), 0))
    return left


# --- bindAccount


async def reserve_lookup(rt: Runtime, *, registration: models.Registration, ip: str | None) -> None:
    """One account-number lookup of this registration and this source."""
    await reserve(
        Limit(
            window=limits.Window(f"bind:registration:{registration.id}", registration.expires_at),
            limit=BIND_PER_REGISTRATION,
            code=ErrorCode.TOO_MANY_ATTEMPTS,
            message="Номер лицевого счёта вводился слишком много раз. Начните регистрацию заново.",
            field="accountNumber",
        ),
        Limit(
            window=limits.fixed_window(f"bind:source:{ip or 'unknown'}", timedelta(hours=1)),
            limit=rt.settings.bind_account_per_source_hour,
            code=ErrorCode.RATE_LIMITED,
            message="Слишком много проверок номеров лицевых счетов. Попробуйте через час.",
            field="accountNumber",
        ),
    )


def not_registrable(field: str) -> DomainError:
    """One answer for an unknown number and an account that already has a holder, so that
    bindAccount does not tell which numbers are registered."""
    return DomainError.of(
        ErrorCode.NOT_FOUND,
        "Этот лицевой счёт нельзя зарегистрировать: проверьте номер в квитанции. Если счёт уже "
        "зарегистрирован в личном кабинете, добавьте его в профиль (привязка счёта с логином и "
        "паролем владельца) или обратитесь в офис обслуживания.",
        field,
    )


# --- confirmBinding


def bill_total(value: Decimal, *, field: str = "billTotal") -> Decimal:
    """A well-formed amount in rubles and kopecks (a typo does not spend a try)."""
    if not value.is_finite() or abs(value) >= MAX_TOTAL or value != value.quantize(CENT):
        raise DomainError.of(
            ErrorCode.INVALID_INPUT,
            "Укажите сумму «Итого к оплате» из квитанции в рублях и копейках, например 272.09.",
            field,
        )
    return value


async def latest_bill_totals(**account: object) -> list[tuple[int, Decimal]]:
    """(account id, «Итого к оплате») of the account's last BILLS_ACCEPTED bills, newest first,
    in one statement; `account` picks the account (`account_id=` or `account__number=`), so
    an unknown number costs the same statement as a known one."""
    rows = await (
        models.Statement.filter(**account)
        .order_by("-period")
        .limit(BILLS_ACCEPTED)
        .values_list("account_id", "total_to_pay")
    )
    return [(int(account_id), Decimal(value)) for account_id, value in rows]


def bill_matches(totals: list[tuple[int, Decimal]], total: Decimal) -> int | None:
    """The account id when `total` is one of `totals` (latest_bill_totals), else None."""
    return next((account_id for account_id, value in totals if value == total), None)


async def prove_bill(
    rt: Runtime,
    *,
    registration: models.Registration,
    account: models.Account,
    total: Decimal,
    field: str = "billTotal",
) -> None:
    """Passes when `total` is «Итого к оплате» of one of the account's last BILLS_ACCEPTED
    bills. Every try, right or wrong, is reserved first and stays spent."""
    totals = await latest_bill_totals(account_id=account.id)
    if not totals:
        raise DomainError.of(
            ErrorCode.NOT_FOUND,
            "По этому лицевому счёту ещё не выставлено ни одной квитанции, поэтому подтвердить "
            "его по сумме из квитанции нельзя. Чтобы подключить счёт к личному кабинету, "
            "обратитесь в офис обслуживания.",
            field,
        )
    left = await reserve(
        Limit(
            window=limits.Window(f"bill:registration:{registration.id}", registration.expires_at),
            limit=BILL_TRIES_PER_REGISTRATION,
            code=ErrorCode.TOO_MANY_ATTEMPTS,
            message="Попытки подтвердить счёт суммой из квитанции закончились. Начните "
            "регистрацию заново или обратитесь в офис обслуживания.",
            field=field,
        ),
        Limit(
            window=limits.local_day(f"bill:account:{account.id}", rt.settings.timezone),
            limit=BILL_TRIES_PER_ACCOUNT_DAY,
            code=ErrorCode.TOO_MANY_ATTEMPTS,
            message="Сегодня этот лицевой счёт уже слишком много раз пытались подтвердить. "
            "Попробуйте завтра или обратитесь в офис обслуживания.",
            field=field,
        ),
        count_left=True,
    )
    if bill_matches(totals, total) is None:
        raise DomainError.of(
            ErrorCode.INVALID_INPUT,
            "Сумма не совпадает с «Итого к оплате» ни в одной из трёх последних квитанций по "
            f"этому счёту. Осталось попыток: {min(left)}.",
            field,
        )
