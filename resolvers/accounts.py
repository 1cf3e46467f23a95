"""Accounts, their services and statements."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import TypeVar

import models
from resolvers.common import query
from resolvers.context import Context
from resolvers.loaders import Loader
from resolvers.readings import MetersByAccountLoader, RegistersByMeterLoader
from services import accounts, periods

R = TypeVar("R")


class AccountsByUserLoader(Loader[int, list[models.Account]]):
    load_batch = accounts.accounts_by_user


class AccountServicesByAccountLoader(Loader[int, list[models.AccountService]]):
    load_batch = accounts.services_by_account


class ServiceByIdLoader(Loader[int, models.Service | None]):
    """The service catalogue (a few rows), read once per request by the first batch: account
    services, meters and statement lines ask for services in batches whose split depends on
    the timing of their own loaders, which made the dashboard's statement count vary."""

    load_batch = accounts.services_by_id

    def __init__(self) -> None:
        super().__init__()
        catalogue: asyncio.Future[dict[int, models.Service]] | None = None

        async def batch(keys: list[int]) -> list[models.Service | None]:
            nonlocal catalogue
            if catalogue is None:
                catalogue = asyncio.ensure_future(accounts.service_catalogue())
            found = await catalogue
            return [found.get(k) for k in keys]

        self.load_fn = batch


class ProviderByIdLoader(Loader[int, models.Provider | None]):
    load_batch = accounts.providers_by_id


class AccountByIdLoader(Loader[int, models.Account | None]):
    load_batch = accounts.accounts_by_id


class TariffsByServiceLoader(Loader[tuple[int, date], list[models.TariffRate]]):
    load_batch = accounts.tariffs_by_service


class LatestStatementByAccountLoader(Loader[int, models.Statement | None]):
    load_batch = accounts.latest_statement_by_account


class LinesByStatementLoader(Loader[int, list[models.StatementLine]]):
    load_batch = accounts.lines_by_statement


async def account(ctx: Context, *, number: str) -> models.Account | None:
    user = await ctx.user()
    if user is None:
        return None
    return await accounts.account_for_user(user.id, number)


# The resolvers of the dashboard's nested fields take their parents as a list: the schema answers
# a field for one parent with a list of one, the compiled read path for a whole level at once
# (schema.compiled.batched), one load_many each.


async def user_accounts(ctx: Context, *, users: list[models.User]) -> list[list[models.Account]]:
    return await ctx.loader(AccountsByUserLoader).load_many([u.id for u in users])


async def account_services(
    ctx: Context, *, accounts: list[models.Account]
) -> list[list[models.AccountService]]:
    return await ctx.loader(AccountServicesByAccountLoader).load_many([a.id for a in accounts])


async def services(ctx: Context, *, service_ids: list[int]) -> list[models.Service]:
    found = await ctx.loader(ServiceByIdLoader).load_many(service_ids)
    return _present("service", service_ids, found)


async def service(ctx: Context, *, service_id: int) -> models.Service:
    return (await services(ctx, service_ids=[service_id]))[0]


async def providers(ctx: Context, *, provider_ids: list[int]) -> list[models.Provider]:
    found = await ctx.loader(ProviderByIdLoader).load_many(provider_ids)
    return _present("provider", provider_ids, found)


def _present(what: str, ids: list[int], found: list[R | None]) -> list[R]:
    """The rows that `ids` (foreign keys) reference: every one is there."""
    for key, row in zip(ids, found, strict=True):
        assert row is not None, f"{what} {key} referenced but missing"
    return [row for row in found if row is not None]


async def provider(ctx: Context, *, provider_id: int) -> models.Provider:
    return (await providers(ctx, provider_ids=[provider_id]))[0]


async def tariffs(
    ctx: Context, *, account_services: list[models.AccountService]
) -> list[list[models.TariffRate]]:
    today = periods.local_today(ctx.rt.settings.timezone)
    rates, zones = await asyncio.gather(
        ctx.loader(TariffsByServiceLoader).load_many(
            [(s.service_id, today) for s in account_services]
        ),
        _meter_zones(ctx, account_services),
    )
    return [accounts.rates_for_zones(r, z) for r, z in zip(rates, zones, strict=True)]


async def _meter_zones(
    ctx: Context, account_services: list[models.AccountService]
) -> list[set[models.MeterZone]]:
    """Zones of each account's meters of the service, through the meters' own loaders: the
    dashboard loads the same meters and registers, so this costs no statement of its own."""
    meters = await ctx.loader(MetersByAccountLoader).load_many(
        [s.account_id for s in account_services]
    )
    wanted = [
        [m.id for m in rows if m.service_id == s.service_id]
        for s, rows in zip(account_services, meters, strict=True)
    ]
    registers = iter(
        await ctx.loader(RegistersByMeterLoader).load_many([i for ids in wanted for i in ids])
    )
    return [{models.MeterZone(r.zone) for _ in ids for r in next(registers)} for ids in wanted]


@query
async def statement(
    ctx: Context, *, accounts_: list[models.Account], period: date | None
) -> list[models.Statement | None]:
    if period is None:
        return await ctx.loader(LatestStatementByAccountLoader).load_many([a.id for a in accounts_])
    return [await accounts.statement(account=a, period=period) for a in accounts_]


@query
async def statements(
    ctx: Context, *, account: models.Account, from_: date | None, to: date | None
) -> list[models.Statement]:
    return await accounts.statements(account=account, from_=from_, to=to)


async def statement_lines(
    ctx: Context, *, statements: list[models.Statement]
) -> list[list[models.StatementLine]]:
    return await ctx.loader(LinesByStatementLoader).load_many([s.id for s in statements])
