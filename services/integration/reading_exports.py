"""Readings customers submitted (in the cabinet or without signing in), taken out for billing,
and billing's verdict on each: ACCEPTED, or REJECTED with a reason the customer sees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

import models
from services.integration import fields as f
from services.integration.batch import Batch
from services.integration.results import ItemResult, ItemStatus
from services.readings.verdict import verdict

CUSTOMER_SOURCES = (models.ReadingSource.CABINET, models.ReadingSource.PUBLIC)
VERDICTS = (models.ReadingStatus.ACCEPTED, models.ReadingStatus.REJECTED)


@dataclass(frozen=True, slots=True)
class ExportedReading:
    id: int
    account_number: str
    meter_serial_number: str
    zone: models.MeterZone
    value: Decimal
    period: date
    source: models.ReadingSource
    status: models.ReadingStatus
    taken_at: datetime
    exported_at: datetime


async def export_readings(
    *, period: date, after_id: int = 0, limit: int = 1000, include_exported: bool = False
) -> list[ExportedReading]:
    """Customers' readings of a period, by id, after `after_id`; marks them exported. Without
    include_exported, readings already exported are left out, so a repeated call answers only
    what came in since."""
    query = models.Reading.filter(
        period=period, source__in=CUSTOMER_SOURCES, id__gt=after_id
    ).select_related("register__meter__account")
    if not include_exported:
        query = query.filter(exported_at__isnull=True)
    now = datetime.now(UTC)
    async with in_transaction():
        rows = await query.order_by("id").limit(limit)
        fresh = [r.id for r in rows if r.exported_at is None]
        if fresh:
            await models.Reading.filter(id__in=fresh).update(exported_at=now)
    return [
        ExportedReading(
            id=r.id,
            account_number=r.register.meter.account.number,
            meter_serial_number=r.register.meter.serial_number,
            zone=models.MeterZone(r.register.zone),
            value=r.value,
            period=r.period,
            source=models.ReadingSource(r.source),
            status=models.ReadingStatus(r.status),
            taken_at=r.taken_at,
            exported_at=r.exported_at or now,
        )
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class Verdict:
    id: int
    status: models.ReadingStatus
    reason: str | None


def parse(data: dict[str, Any]) -> Verdict:
    raw = f.required_text(data, "id", max_length=20)
    if not raw.isdigit():
        raise f.Invalid("поле id: ожидается номер показания", "id")
    status = f.choice(data, "status", models.ReadingStatus, allowed=VERDICTS)
    reason = f.text(data, "reason", max_length=255, required=False)
    if status is models.ReadingStatus.REJECTED and not reason:
        raise f.Invalid("поле reason: укажите причину отклонения", "reason")
    return Verdict(int(raw), status, reason if status is models.ReadingStatus.REJECTED else None)


async def apply_statuses(batch: Batch[Verdict]) -> list[ItemResult]:
    parsed = batch.parsed
    async with in_transaction():
        readings = {
            r.id: r
            for r in await models.Reading.filter(
                id__in=[p.row.id for p in parsed], source__in=CUSTOMER_SOURCES
            )
        }
        updates = []
        for p in parsed:
            reading = readings.get(p.row.id)
            if reading is None:
                batch.refuse(p, "нет такого показания клиента", "id")
                continue
            if (reading.status, reading.rejection_reason, reading.customer_slot) == (
                p.row.status,
                p.row.reason,
                None,
            ):
                batch.decide(p, ItemStatus.UNCHANGED)
                continue
            for name, value in verdict(p.row.status, p.row.reason).items():
                setattr(reading, name, value)
            updates.append(reading)
            batch.decide(p, ItemStatus.UPDATED)
        if updates:
            await models.Reading.bulk_update(
                updates, fields=["status", "rejection_reason", "customer_slot"]
            )
    return batch.finish()
