"""Accounts a user may see, their services, suppliers, tariffs and charge statements."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import TypeVar, cast

from tortoise.fields import CharField
from tortoise.models import Model

import models
from infra import database
from services import periods
from services.errors import DomainError, ErrorCode

MAX_STATEMENT_PERIODS = 6
ACCOUNT_NUMBER_LENGTH = cast(CharField, models.Account._meta.fields_map["number"]).max_length


def account_number(raw: str | None) -> str | None:
    """The number as stored (blanks around it dropped), or None when no account can have it:
    such input is simply not found (and never reaches the database, whose field would refuse
    it with an error of its own)."""
    number = (raw or "").strip()
    return number if 0 < len(number) <= ACCOUNT_NUMBER_LENGTH else None


async def account_for_user(user_id: int, number: str) -> models.Account | None:
    """The account with this number, if the user may see it; None otherwise (never says why)."""
    stored = account_number(number)
    if stored is None:
        return None
    # Every account operation runs this: written out, it skips the ORM building the join.
    rows = await database.fetch(models.Account, _ACCOUNT_FOR_USER_SQL, user_id, stored)
    return models.Account._init_from_db(**rows[0]) if rows else None


_ACCOUNT_FOR_USER_SQL = (
    'SELECT a.* FROM "user_account" l JOIN "account" a ON a.id = l.account_id '
    "WHERE l.user_id = $1 AND a.number = $2 LIMIT 1"
)


async def require_account(
    user_id: int, number: str, field: str = "accountNumber"
) -> models.Account:
    account = await account_for_user(user_id, number)
    if account is None:
        raise DomainError.of(ErrorCode.NOT_FOUND, "Лицевой счёт не найден.", field)
    return account


# --- batch functions for DataLoaders (results in key order)


# The dashboard's batch functions are written out: the ORM's statement building (pypika,
# querysets) cost more CPU than running them (docs/perf.md). Same rows, same order as the ORM
# queries they replace; rows become models as the ORM makes them (`_init_from_db`).


async def accounts_by_user(user_ids: Sequence[int]) -> list[list[models.Account]]:
    rows = await database.fetch(
        models.Account,
        'SELECT l.user_id AS "link.user_id", a.* FROM user_account l '
        f"JOIN account a ON a.id = l.account_id WHERE l.user_id IN ({database.placeholders(len(user_ids))}) "
        "ORDER BY l.is_holder DESC, l.created_at, l.id",
        *user_ids,
    )
    grouped: dict[int, list[models.Account]] = defaultdict(list)
    for row in rows:
        user_id = row.pop("link.user_id")
        grouped[user_id].append(models.Account._init_from_db(**row))
    return [grouped.get(k, []) for k in user_ids]


async def services_by_account(account_ids: Sequence[int]) -> list[list[models.AccountService]]:
    return await database.fetch_grouped(
        models.AccountService, "account_id", account_ids, order_by="id"
    )


M = TypeVar("M", bound=Model)


async def _by_id(model: type[M], ids: Sequence[int]) -> list[M | None]:
    """Rows of a small reference table (services, providers) in the order of `ids`."""
    sql = f"SELECT * FROM {model._meta.db_table} WHERE id IN ({database.placeholders(len(ids))})"
    rows = (model._init_from_db(**r) for r in await database.fetch(model, sql, *ids))
    found = {row.pk: row for row in rows}
    return [found.get(k) for k in ids]


async def services_by_id(ids: Sequence[int]) -> list[models.Service | None]:
    return await _by_id(models.Service, ids)


async def service_catalogue() -> dict[int, models.Service]:
    """Every service by id: the retailer's catalogue, a few rows."""
    rows = await database.fetch(models.Service, "SELECT * FROM service")
    return {s.id: s for s in (models.Service._init_from_db(**r) for r in rows)}


async def providers_by_id(ids: Sequence[int]) -> list[models.Provider | None]:
    return await _by_id(models.Provider, ids)


async def accounts_by_id(ids: Sequence[int]) -> list[models.Account | None]:
    rows = {a.id: a for a in await models.Account.filter(id__in=ids)}
    return [rows.get(k) for k in ids]


async def tariffs_by_service(keys: Sequence[tuple[int, date]]) -> list[list[models.TariffRate]]:
    """Rates in force on a date, one per zone, for (service id, date) keys."""
    service_ids = list(dict.fromkeys(k[0] for k in keys))
    sql = (
        f"SELECT * FROM tariff_rate WHERE service_id IN ({database.placeholders(len(service_ids))}) "
        "ORDER BY valid_from"
    )
    by_service: dict[int, list[models.TariffRate]] = defaultdict(list)
    for found in await database.fetch(models.TariffRate, sql, *service_ids):
        tariff = models.TariffRate._init_from_db(**found)
        by_service[tariff.service_id].append(tariff)
    result = []
    for service_id, on in keys:
        in_force: dict[str, models.TariffRate] = {}
        for row in by_service.get(service_id, []):
            if row.valid_from <= on:
                in_force[row.zone] = row
        result.append(sorted(in_force.values(), key=lambda r: _ZONE_ORDER.index(r.zone)))
    return result


_ZONE_ORDER = [z for z in models.MeterZone]


def rates_for_zones(
    rates: Sequence[models.TariffRate], zones: set[models.MeterZone]
) -> list[models.TariffRate]:
    """The rates a customer pays: those of the zones the account's meters of the service have;
    with no meter, the single-rate tariff (every rate when the catalogue has no single one, as
    there is nothing to choose by)."""
    if not zones:
        single = [r for r in rates if r.zone == models.MeterZone.SINGLE]
        return single or list(rates)
    return [r for r in rates if r.zone in zones]


async def latest_statement_by_account(account_ids: Sequence[int]) -> list[models.Statement | None]:
    """Each account's statement of its latest period, chosen in SQL: the rows read do not grow
    with the years of history (one statement per account and period, a unique index)."""
    ids = list(dict.fromkeys(account_ids))
    if not ids:
        return [None for _ in account_ids]
    rows = await database.fetch(models.Statement, _latest_statements_sql(len(ids)), *ids)
    latest = {s.account_id: s for s in (models.Statement._init_from_db(**row) for row in rows)}
    return [latest.get(k) for k in account_ids]


@functools.cache
def _latest_statements_sql(count: int) -> str:
    ids = database.placeholders(count)
    return (
        "SELECT * FROM statement WHERE (account_id, period) IN (SELECT account_id, MAX(period) "
        f"FROM statement WHERE account_id IN ({ids}) GROUP BY account_id)"
    )


async def lines_by_statement(statement_ids: Sequence[int]) -> list[list[models.StatementLine]]:
    return await database.fetch_grouped(
        models.StatementLine, "statement_id", statement_ids, order_by="position, id"
    )


# --- statements


async def statement(*, account: models.Account, period: date | None) -> models.Statement | None:
    query = models.Statement.filter(account_id=account.id)
    if period is not None:
        return await query.filter(period=periods.period_of(period)).first()
    return await query.order_by("-period").first()


async def statements(
    *, account: models.Account, from_: date | None, to: date | None
) -> list[models.Statement]:
    """Newest first; the last 6 periods when no range is given; at most 6 periods a request."""
    if from_ is None and to is None:
        return (
            await models.Statement.filter(account_id=account.id)
            .order_by("-period")
            .limit(MAX_STATEMENT_PERIODS)
        )
    first, last = periods.month_range(
        from_, to, months=MAX_STATEMENT_PERIODS, most=MAX_STATEMENT_PERIODS
    )
    return await models.Statement.filter(
        account_id=account.id, period__gte=first, period__lte=last
    ).order_by("-period")
