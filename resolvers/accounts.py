"""Accounts, their services and statements."""

from __future__ import annotations

import asyncio
from datetime import date

import models
from resolvers.common import query
from resolvers.context import Context
from resolvers.loaders import Loader
from resolvers.readings import MetersByAccountLoader, RegistersByMeterLoader
from services import accounts, periods


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


async def user_accounts(ctx: Context, *, user: models.User) -> list[models.Account]:
    return await ctx.loader(AccountsByUserLoader).load(user.id)


async def account_services(ctx: Context, *, account: models.Account) -> list[models.AccountService]:
    return await ctx.loader(AccountServicesByAccountLoader).load(account.id)


async def service(ctx: Context, *, service_id: int) -> models.Service:
    found = await ctx.loader(ServiceByIdLoader).load(service_id)
    assert found is not None, f"service {service_id} referenced but missing"
    return found


async def provider(ctx: Context, *, provider_id: int) -> models.Provider:
    found = await ctx.loader(ProviderByIdLoader).load(provider_id)
    assert found is not None, f"provider {provider_id} referenced but missing"
    return found


async def tariffs(
    ctx: Context, *, account_service: models.AccountService
) -> list[models.TariffRate]:
    today = periods.local_today(ctx.rt.settings.timezone)
    rates, zones = await asyncio.gather(
        ctx.loader(TariffsByServiceLoader).load((account_service.service_id, today)),
        _meter_zones(ctx, account_service),
    )
    return accounts.rates_for_zones(rates, zones)


async def _meter_zones(
    ctx: Context, account_service: models.AccountService
) -> set[models.MeterZone]:
    """Zones of the account's meters of the service, through the meters' own loaders: the
    dashboard loads the same meters and registers, so this costs no statement of its own."""
    meters = await ctx.loader(MetersByAccountLoader).load(account_service.account_id)
    registers = await ctx.loader(RegistersByMeterLoader).load_many(
        [m.id for m in meters if m.service_id == account_service.service_id]
    )
    return {models.MeterZone(r.zone) for rows in registers for r in rows}


async def meter_count(ctx: Context, *, account_service: models.AccountService) -> int:
    return account_service.meter_count


@query
async def statement(
    ctx: Context, *, account: models.Account, period: date | None
) -> models.Statement | None:
    if period is None:
        return await ctx.loader(LatestStatementByAccountLoader).load(account.id)
    return await accounts.statement(account=account, period=period)


@query
async def statements(
    ctx: Context, *, account: models.Account, from_: date | None, to: date | None
) -> list[models.Statement]:
    return await accounts.statements(account=account, from_=from_, to=to)


async def statement_lines(
    ctx: Context, *, statement: models.Statement
) -> list[models.StatementLine]:
    return await ctx.loader(LinesByStatementLoader).load(statement.id)
