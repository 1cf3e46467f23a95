"""Meters, registers and readings."""

from __future__ import annotations

from datetime import date

import models
from resolvers.common import Outcome, mutation, query
from resolvers.context import Context
from resolvers.loaders import Loader
from services import periods, readings
from services.errors import DomainError, ErrorCode
from services.pagination import Page
from services.readings import Preview, ReadingEntry, ReadingView


class MetersByAccountLoader(Loader[int, list[models.Meter]]):
    load_batch = readings.meters_by_account


class RegistersByMeterLoader(Loader[int, list[models.MeterRegister]]):
    load_batch = readings.registers_by_meter


class PeriodStartByRegisterLoader(Loader[tuple[int, date], models.Reading | None]):
    load_batch = readings.period_start_by_register


class CurrentByRegisterLoader(Loader[tuple[int, date], models.Reading | None]):
    load_batch = readings.current_by_register


def _period(ctx: Context) -> date:
    return periods.current_period(ctx.rt.settings.timezone)


async def account_meters(ctx: Context, *, account: models.Account) -> list[models.Meter]:
    return await ctx.loader(MetersByAccountLoader).load(account.id)


async def meter_registers(ctx: Context, *, meter: models.Meter) -> list[models.MeterRegister]:
    return await ctx.loader(RegistersByMeterLoader).load(meter.id)


async def register_period_start(
    ctx: Context, *, register: models.MeterRegister
) -> ReadingView | None:
    row = await ctx.loader(PeriodStartByRegisterLoader).load((register.id, _period(ctx)))
    return await _view(ctx, register, row)


async def register_current(ctx: Context, *, register: models.MeterRegister) -> ReadingView | None:
    row = await ctx.loader(CurrentByRegisterLoader).load((register.id, _period(ctx)))
    return await _view(ctx, register, row)


async def _view(
    ctx: Context, register: models.MeterRegister, row: models.Reading | None
) -> ReadingView | None:
    if row is None:
        return None
    meter = await register.meter  # TODO(readings): a loader; the readings issue owns this.
    return ReadingView(
        id=row.id,
        meter_serial_number=meter.serial_number,
        zone=models.MeterZone(register.zone),
        value=row.value,
        consumption=None,
        source=models.ReadingSource(row.source),
        status=models.ReadingStatus(row.status),
        taken_at=row.taken_at,
        period=row.period,
    )


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
    raise DomainError.of(ErrorCode.INVALID_INPUT, "История показаний пока недоступна.")


async def public_meters(ctx: Context, *, account_number: str) -> list[models.Meter] | None:
    return None


@mutation
async def preview_readings(
    ctx: Context, *, account_number: str, entries: list[ReadingEntry]
) -> Preview:
    raise DomainError.of(ErrorCode.INVALID_INPUT, "Передача показаний пока недоступна.")


@mutation
async def submit_readings(
    ctx: Context, *, account_number: str, entries: list[ReadingEntry]
) -> list[ReadingView]:
    raise DomainError.of(ErrorCode.INVALID_INPUT, "Передача показаний пока недоступна.")


@mutation
async def submit_public_readings(
    ctx: Context,
    *,
    account_number: str,
    entries: list[ReadingEntry],
    captcha_id: str,
    captcha_answer: str,
) -> list[ReadingView]:
    raise DomainError.of(ErrorCode.INVALID_INPUT, "Передача показаний пока недоступна.")


__all__ = ["Outcome"]
