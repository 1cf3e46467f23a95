"""Readings billing took itself: on site, estimated, or imported from another system. They are
stored ACCEPTED; one per register, period and source (a new value for the same key replaces it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

import models
from models.decimals import READING
from services.integration import fields as f
from services.integration.accounts import account_number
from services.integration.batch import Batch, Parsed
from services.integration.results import ItemResult, ItemStatus

SOURCES = (models.ReadingSource.ONSITE, models.ReadingSource.ESTIMATED, models.ReadingSource.IMPORT)


@dataclass(frozen=True, slots=True)
class ReadingRow:
    account_number: str
    meter_serial_number: str
    zone: models.MeterZone
    period: date
    value: Decimal
    source: models.ReadingSource
    taken_at: datetime


def parse(data: dict[str, Any]) -> ReadingRow:
    taken_at = f.moment(data, "taken_at")
    assert taken_at is not None
    value = f.required_decimal(data, "value", READING)
    if value < 0:
        raise f.Invalid("поле value: показание не может быть отрицательным", "value")
    return ReadingRow(
        account_number=account_number(data, "account_number"),
        meter_serial_number=f.required_text(data, "meter_serial_number", max_length=64),
        zone=f.choice(data, "zone", models.MeterZone),
        period=f.period(data),
        value=value,
        source=f.choice(data, "source", models.ReadingSource, allowed=SOURCES),
        taken_at=taken_at,
    )


def batch_key(r: ReadingRow) -> tuple[Any, ...]:
    return (r.account_number, r.meter_serial_number, r.zone.value, r.period, r.source.value)


async def apply_readings(batch: Batch[ReadingRow]) -> list[ItemResult]:
    parsed = batch.parsed
    async with in_transaction():
        registers = await _registers(parsed)
        wanted: dict[tuple[int, date, str], tuple[Parsed[ReadingRow], int]] = {}
        for p in parsed:
            register_id = registers.get(
                (p.row.account_number, p.row.meter_serial_number, p.row.zone.value)
            )
            if register_id is None:
                batch.refuse(p, "нет такого счёта, счётчика или зоны", "meter_serial_number")
                continue
            wanted[(register_id, p.row.period, p.row.source.value)] = (p, register_id)
        stored: dict[tuple[int, date, str], models.Reading] = {}
        if wanted:
            readings = await models.Reading.filter(
                register_id__in={k[0] for k in wanted},
                period__in={k[1] for k in wanted},
                source__in=SOURCES,
            ).order_by("id")
            for reading in readings:
                key = (
                    reading.register_id,
                    reading.period,
                    models.ReadingSource(reading.source).value,
                )
                stored[key] = reading
        creates: list[models.Reading] = []
        updates: list[models.Reading] = []
        for key, (p, register_id) in wanted.items():
            row = stored.get(key)
            if row is None:
                creates.append(
                    models.Reading(
                        register_id=register_id,
                        period=p.row.period,
                        value=p.row.value,
                        source=p.row.source,
                        status=models.ReadingStatus.ACCEPTED,
                        taken_at=p.row.taken_at,
                    )
                )
                batch.decide(p, ItemStatus.CREATED)
            elif (row.value, row.taken_at, row.status) == (
                p.row.value,
                p.row.taken_at,
                models.ReadingStatus.ACCEPTED,
            ):
                batch.decide(p, ItemStatus.UNCHANGED)
            else:
                row.value, row.taken_at = p.row.value, p.row.taken_at
                row.status = models.ReadingStatus.ACCEPTED
                updates.append(row)
                batch.decide(p, ItemStatus.UPDATED)
        if creates:
            await models.Reading.bulk_create(creates)
        if updates:
            await models.Reading.bulk_update(updates, fields=["value", "taken_at", "status"])
    return batch.finish()


async def _registers(parsed: list[Parsed[ReadingRow]]) -> dict[tuple[str, str, str], int]:
    """(account number, meter serial, zone) -> register id, for the registers the batch names."""
    if not parsed:
        return {}
    rows = await models.MeterRegister.filter(
        meter__account__number__in={p.row.account_number for p in parsed},
        meter__serial_number__in={p.row.meter_serial_number for p in parsed},
    ).values_list("id", "zone", "meter__serial_number", "meter__account__number")
    return {
        (number, serial, models.MeterZone(zone).value): register_id
        for register_id, zone, serial, number in rows
    }
