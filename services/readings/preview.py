"""The preview: what new readings would cost at the rates in force today; stores nothing."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

import models
from infra.runtime import Runtime
from services import accounts, clock, periods
from services.errors import DomainError, ErrorCode
from services.readings.rules import check
from services.readings.views import Preview, PreviewLine, ReadingEntry
from services.readings.window import entry_period, window_notice

CENT = Decimal("0.01")


async def preview(
    rt: Runtime, *, account: models.Account, entries: Sequence[ReadingEntry]
) -> Preview:
    """Consumption and cost of new readings, at the rates in force today; stores nothing."""
    now = clock.now()
    period = entry_period(rt.settings, now)
    checked = await check(rt.settings, account=account, entries=entries, period=period)
    today = periods.local_today(rt.settings.timezone, now)
    service_ids = sorted({c.register.meter.service_id for c in checked})
    tariffs = await accounts.tariffs_by_service([(s, today) for s in service_ids])
    rates = {
        (service_id, models.MeterZone(t.zone)): t.rate
        for service_id, rows in zip(service_ids, tariffs, strict=True)
        for t in rows
    }
    lines = []
    for item in checked:
        meter = item.register.meter
        zone = models.MeterZone(item.register.zone)
        rate = rates.get((meter.service_id, zone))
        if rate is None:
            raise DomainError.of(ErrorCode.NOT_FOUND, "Тариф для этой зоны не найден.", "readings")
        # A meter without any reading yet counts from zero, as installed.
        previous = item.previous.value if item.previous else Decimal(0)
        consumption = item.value - previous
        lines.append(
            PreviewLine(
                meter_serial_number=meter.serial_number,
                zone=zone,
                previous=previous,
                value=item.value,
                consumption=consumption,
                rate=rate,
                cost=(consumption * rate).quantize(CENT, rounding=ROUND_HALF_UP),
            )
        )
    return Preview(
        lines=lines,
        total_consumption=sum((line.consumption for line in lines), Decimal(0)),
        total_cost=sum((line.cost for line in lines), Decimal(0)),
        period=period,
        notice=window_notice(rt.settings, period, now),
    )
