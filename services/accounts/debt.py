"""Debt look-up without signing in: what a paper bill shows anyway, and nothing more.

An account number and a solved security code answer the latest statement's period, each
service's amount to pay and the total, with the holder masked to the surname and initials
(«Иванов И. И.») and the address to the city and street (services.identity.binding's masking).

Order of the work: the security code is checked and spent first (services.identity.captcha), so
an unsolved request learns nothing and costs nothing; then one try is reserved of the source's
limit (PER_SOURCE_HOUR per IP address an hour) and of the number's (PER_ACCOUNT_HOUR an hour,
whether an account has it or not), both in one transaction with conditional UPDATEs
(services.limits), before the look-up. An unknown number and an account without any statement
answer the same NOT_FOUND, after the same two SELECT statements.

An answer carries a pay token (services.payments.site): createPublicPayment accepts it from the
same source, for this account, once, for 30 minutes, without asking for another code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import models
from infra.runtime import Runtime
from services import limits
from services.accounts import account_number
from services.errors import DomainError, ErrorCode
from services.identity import binding, captcha
from services.payments import site

PER_SOURCE_HOUR = 30
PER_ACCOUNT_HOUR = 10

NOT_FOUND_MESSAGE = "По этому лицевому счёту нет начислений. Проверьте номер в квитанции."


@dataclass(frozen=True, slots=True)
class DebtLine:
    """One service's amount to pay."""

    service: models.Service
    to_pay: Decimal


@dataclass(frozen=True, slots=True)
class Debt:
    """What the latest bill shows of an account, masked."""

    holder_name: str
    address: str
    period: date
    lines: list[DebtLine]
    total_to_pay: Decimal
    # What lets this source pay the account without a second security code
    # (services.payments.site).
    pay_token: site.PayToken


def masked_name(full_name: str) -> str:
    """The surname and initials: «Иванов Иван Иванович» → «Иванов И. И.»."""
    words = full_name.split()
    if not words:
        return ""
    return " ".join([words[0], *(f"{word[0].upper()}." for word in words[1:])])


def _number_key(raw: str) -> str:
    # Any input, even one no account can have, counts towards its own limit.
    return limits.digest(account_number(raw) or raw.strip())


async def reserve(*, number: str, source: str | None) -> None:
    """One try of the source and one of the number, all or none; RATE_LIMITED otherwise."""
    await binding.reserve(
        _hourly(
            f"debt:source:{source or 'unknown'}",
            PER_SOURCE_HOUR,
            "Слишком много запросов задолженности. Попробуйте через час.",
        ),
        _hourly(
            f"debt:account:{_number_key(number)}",
            PER_ACCOUNT_HOUR,
            "По этому лицевому счёту слишком много запросов. Попробуйте через час.",
        ),
    )


def _hourly(key: str, limit: int, message: str) -> binding.Limit:
    """At most `limit` look-ups an hour under `key`; RATE_LIMITED on accountNumber beyond."""
    return binding.Limit(
        window=limits.fixed_window(key, timedelta(hours=1)),
        limit=limit,
        code=ErrorCode.RATE_LIMITED,
        message=message,
        field="accountNumber",
    )


async def look_up(
    rt: Runtime, *, number: str, captcha_id: str, answer: str, source: str | None
) -> Debt:
    """The debt of the account with this number, or NOT_FOUND (unknown number or no statement:
    one answer); CAPTCHA_INVALID and RATE_LIMITED before any look-up."""
    await captcha.verify(rt, captcha_id=captcha_id, answer=answer)
    await reserve(number=number, source=source)
    known = account_number(number)
    # The same two statements whether the account exists or not.
    statement = (
        await models.Statement.filter(account__number=known or "")
        .select_related("account")
        .order_by("-period")
        .first()
    )
    lines = (
        await models.StatementLine.filter(statement_id=statement.id if statement else 0)
        .select_related("service")
        .order_by("position", "id")
    )
    if statement is None:
        raise DomainError.of(ErrorCode.NOT_FOUND, NOT_FOUND_MESSAGE, "accountNumber")
    account = statement.account
    return Debt(
        holder_name=masked_name(account.holder_name),
        address=binding.masked_address(account),
        period=statement.period,
        lines=[DebtLine(service=line.service, to_pay=line.to_pay) for line in lines],
        total_to_pay=statement.total_to_pay,
        pay_token=site.issue(rt, account_id=account.id, source=source),
    )
