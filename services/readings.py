"""Meters, registers and readings: what the period starts from and what was entered in it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import models


async def meters_by_account(account_ids: Sequence[int]) -> list[list[models.Meter]]:
    rows = await models.Meter.filter(account_id__in=account_ids).order_by("id")
    grouped: dict[int, list[models.Meter]] = defaultdict(list)
    for row in rows:
        grouped[row.account_id].append(row)
    return [grouped.get(k, []) for k in account_ids]


async def registers_by_meter(meter_ids: Sequence[int]) -> list[list[models.MeterRegister]]:
    # With their meter: a reading of a register shows the meter's serial number.
    rows = (
        await models.MeterRegister.filter(meter_id__in=meter_ids)
        .select_related("meter")
        .order_by("position", "id")
    )
    grouped: dict[int, list[models.MeterRegister]] = defaultdict(list)
    for row in rows:
        grouped[row.meter_id].append(row)
    return [grouped.get(k, []) for k in meter_ids]


async def period_start_by_register(
    keys: Sequence[tuple[int, date]],
) -> list[models.Reading | None]:
    """For (register id, period) keys: the last reading that is not rejected, of an earlier
    period: the value the period starts from."""
    register_ids = {k[0] for k in keys}
    rows = (
        await models.Reading.filter(register_id__in=register_ids)
        .exclude(status=models.ReadingStatus.REJECTED)
        .order_by("register_id", "-period", "-taken_at", "-id")
    )
    by_register: dict[int, list[models.Reading]] = defaultdict(list)
    for row in rows:
        by_register[row.register_id].append(row)
    result: list[models.Reading | None] = []
    for register_id, period in keys:
        result.append(
            next((r for r in by_register.get(register_id, []) if r.period < period), None)
        )
    return result


async def current_by_register(keys: Sequence[tuple[int, date]]) -> list[models.Reading | None]:
    """For (register id, period) keys: the newest reading entered for that period, if any."""
    register_ids = {k[0] for k in keys}
    periods_ = {k[1] for k in keys}
    rows = await models.Reading.filter(register_id__in=register_ids, period__in=periods_).order_by(
        "-taken_at", "-id"
    )
    newest: dict[tuple[int, date], models.Reading] = {}
    for row in rows:
        newest.setdefault((row.register_id, row.period), row)
    return [newest.get(k) for k in keys]


@dataclass(frozen=True, slots=True)
class ReadingView:
    """A reading as the customer sees it, with its meter and consumption."""

    id: int
    meter_serial_number: str
    zone: models.MeterZone
    value: Decimal
    consumption: Decimal | None
    source: models.ReadingSource
    status: models.ReadingStatus
    taken_at: datetime
    period: date


@dataclass(frozen=True, slots=True)
class ReadingEntry:
    """One value the customer entered: a register of a meter, identified by meter id and zone."""

    meter_id: str
    zone: models.MeterZone
    value: Decimal


@dataclass(frozen=True, slots=True)
class PreviewLine:
    meter_serial_number: str
    zone: models.MeterZone
    previous: Decimal
    value: Decimal
    consumption: Decimal
    rate: Decimal
    cost: Decimal


@dataclass(frozen=True, slots=True)
class Preview:
    lines: list[PreviewLine]
    total_consumption: Decimal
    total_cost: Decimal
    # The period the readings count for (the next one when entered outside the window).
    period: date | None = None
