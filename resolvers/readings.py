"""Meters, registers and readings."""

from __future__ import annotations

import asyncio
from datetime import date

import models
from resolvers.common import mutation, query
from resolvers.context import Context
from resolvers.loaders import Loader
from services import accounts
from services.pagination import Page
from services.readings import consumption, due, loaders, preview, submission, views, window
from services.readings import history as reading_history
from services.readings import public as public_readings
from services.readings.views import Preview, ReadingEntry, ReadingView, Submission


class MetersByAccountLoader(Loader[int, list[models.Meter]]):
    load_batch = loaders.meters_by_account


class MeterByIdLoader(Loader[int, models.Meter | None]):
    load_batch = loaders.meters_by_id


class RegistersByMeterLoader(Loader[int, list[models.MeterRegister]]):
    load_batch = loaders.registers_by_meter


class PeriodStartByRegisterLoader(Loader[tuple[int, date], models.Reading | None]):
    load_batch = loaders.period_start_by_register


class CurrentByRegisterLoader(Loader[tuple[int, date], models.Reading | None]):
    load_batch = loaders.current_by_register


class NewestByMeterLoader(Loader[tuple[int, date], list[models.Reading | None]]):
    load_batch = due.newest_by_meter


def _period(ctx: Context) -> date:
    # The period new readings would count for now: what the meters screen and the preview share.
    return window.entry_period(ctx.rt.settings)


async def account_meters(
    ctx: Context, *, accounts_: list[models.Account]
) -> list[list[models.Meter]]:
    return await ctx.loader(MetersByAccountLoader).load_many([a.id for a in accounts_])


async def meter_registers(
    ctx: Context, *, meters: list[models.Meter]
) -> list[list[models.MeterRegister]]:
    # The registers' readings show their meter's serial number: known already, so not queried
    # again (in batches that split with the timing of the readings' loaders).
    by_id = ctx.loader(MeterByIdLoader)
    for meter in meters:
        by_id.prime(meter.id, meter)
    return await ctx.loader(RegistersByMeterLoader).load_many([m.id for m in meters])


async def register_period_start(
    ctx: Context, *, registers: list[models.MeterRegister]
) -> list[ReadingView | None]:
    period = _period(ctx)
    rows = await ctx.loader(PeriodStartByRegisterLoader).load_many(
        [(r.id, period) for r in registers]
    )
    return await _views(ctx, registers, rows)


async def register_current(
    ctx: Context, *, registers: list[models.MeterRegister]
) -> list[ReadingView | None]:
    period = _period(ctx)
    rows = await ctx.loader(CurrentByRegisterLoader).load_many([(r.id, period) for r in registers])
    return await _views(ctx, registers, rows)


async def _views(
    ctx: Context, registers: list[models.MeterRegister], rows: list[models.Reading | None]
) -> list[ReadingView | None]:
    present = [
        (register, row) for register, row in zip(registers, rows, strict=True) if row is not None
    ]
    meters, previous = await asyncio.gather(
        ctx.loader(MeterByIdLoader).load_many([register.meter_id for register, _ in present]),
        ctx.loader(PeriodStartByRegisterLoader).load_many(
            [(register.id, row.period) for register, row in present]
        ),
    )
    found = iter(zip(present, meters, previous, strict=True))
    views_: list[ReadingView | None] = []
    for row in rows:
        if row is None:
            views_.append(None)
            continue
        (register, _), meter, before = next(found)
        assert meter is not None, f"meter {register.meter_id} referenced but missing"
        views_.append(
            views.reading_view(
                row, serial_number=meter.serial_number, zone=register.zone, previous=before
            )
        )
    return views_


async def meter_readings_due(ctx: Context, *, meter: models.Meter) -> due.ReadingsDue:
    win = due.current_window(ctx.rt.settings)
    newest = await ctx.loader(NewestByMeterLoader).load((meter.id, win.period))
    return due.readings_due(win, newest)


def meter_verification_due(ctx: Context, *, meter: models.Meter) -> due.VerificationDue | None:
    return due.verification_due(ctx.rt.settings, meter.next_verification_date)


@query
async def account_readings(
    ctx: Context,
    *,
    account: models.Account,
    kind: models.MeterKind | None,
    from_: date | None,
    to: date | None,
    first: int | None,
    after: str | None,
) -> Page[ReadingView]:
    return await reading_history.history(
        ctx.rt.settings, account=account, kind=kind, from_=from_, to=to, first=first, after=after
    )


@query
async def account_consumption(
    ctx: Context, *, account: models.Account, from_: date | None, to: date | None
) -> list[consumption.ConsumptionMonth]:
    return await consumption.consumption(ctx.rt.settings, account=account, from_=from_, to=to)


@query
async def public_meters(
    ctx: Context, *, account_number: str, captcha_id: str, captcha_answer: str
) -> list[models.Meter] | None:
    account = await public_readings.open_account(
        ctx.rt, account_number=account_number, captcha_id=captcha_id, answer=captcha_answer
    )
    if account is None:
        return None
    return await ctx.loader(MetersByAccountLoader).load(account.id)


async def _own_account(ctx: Context, account_number: str) -> tuple[models.User, models.Account]:
    """The signed-in user and that user's account by number (UNAUTHENTICATED, NOT_FOUND)."""
    user = await ctx.require_user()
    return user, await accounts.require_account(user.id, account_number)


@mutation
async def preview_readings(
    ctx: Context, *, account_number: str, readings: list[ReadingEntry]
) -> Preview:
    _, account = await _own_account(ctx, account_number)
    return await preview.preview(ctx.rt, account=account, entries=readings)


@mutation
async def submit_readings(
    ctx: Context, *, account_number: str, readings: list[ReadingEntry]
) -> Submission:
    user, account = await _own_account(ctx, account_number)
    return await submission.submit(
        ctx.rt,
        account=account,
        entries=readings,
        source=models.ReadingSource.CABINET,
        user_id=user.id,
    )


@mutation
async def submit_public_readings(
    ctx: Context,
    *,
    account_number: str,
    readings: list[ReadingEntry],
    captcha_id: str,
    captcha_answer: str,
) -> Submission:
    # The security code first: without it nobody learns anything about the account.
    await public_readings.check_code(
        ctx.rt, account_number=account_number, captcha_id=captcha_id, answer=captcha_answer
    )
    account = await public_readings.public_account(account_number)
    if account is None:
        raise public_readings.refused_without_auth()
    return await submission.submit(
        ctx.rt,
        account=account,
        entries=readings,
        source=models.ReadingSource.PUBLIC,
        user_id=None,
    )
