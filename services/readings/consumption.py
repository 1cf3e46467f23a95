"""Consumption of an account, month by month and service by service: the metered volume (per
zone), what the statement charged, and where the volume came from (docs/readings.md,
Consumption)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import models
from services import periods
from services.readings.loaders import period_start_by_register
from settings import Settings

MAX_CONSUMPTION_MONTHS = 36
DEFAULT_CONSUMPTION_MONTHS = 12
_SOURCES = list(models.ReadingSource)
_ZONES = list(models.MeterZone)


@dataclass(slots=True)
class ZoneConsumption:
    zone: models.MeterZone
    # None when the month's reading has no earlier one to start from.
    volume: Decimal | None


@dataclass(slots=True)
class ServiceConsumption:
    service: models.Service
    zones: list[ZoneConsumption] = field(default_factory=list)
    sources: list[models.ReadingSource] = field(default_factory=list)
    charged: Decimal | None = None
    billed_volume: Decimal | None = None

    @property
    def has_readings(self) -> bool:
        return bool(self.zones)

    @property
    def volume(self) -> Decimal | None:
        if not self.zones or any(z.volume is None for z in self.zones):
            return None
        return sum((z.volume for z in self.zones if z.volume is not None), Decimal(0))


@dataclass(slots=True)
class ConsumptionMonth:
    period: date
    services: list[ServiceConsumption]


def consumption_range(from_: date | None, to: date | None, *, current: date) -> tuple[date, date]:
    """The first and last periods asked for: the last 12 months up to the current one when both
    ends are omitted; 12 months from (or up to) the one end given."""
    if from_ is None and to is None:
        return periods.add_months(current, 1 - DEFAULT_CONSUMPTION_MONTHS), current
    return periods.month_range(
        from_, to, months=DEFAULT_CONSUMPTION_MONTHS, most=MAX_CONSUMPTION_MONTHS
    )


async def consumption(
    settings: Settings, *, account: models.Account, from_: date | None, to: date | None
) -> list[ConsumptionMonth]:
    """Oldest month first. Four statements whatever the range: the account's services, the
    statement lines of the range, the readings of the range, and the readings each register
    starts the range from."""
    first, last = consumption_range(from_, to, current=periods.current_period(settings.timezone))
    account_services = (
        await models.AccountService.filter(account_id=account.id)
        .select_related("service")
        .order_by("id")
    )
    lines = await models.StatementLine.filter(
        statement__account_id=account.id,
        statement__period__gte=first,
        statement__period__lte=last,
    ).select_related("statement", "service")
    readings = (
        await models.Reading.filter(
            register__meter__account_id=account.id, period__gte=first, period__lte=last
        )
        .exclude(status=models.ReadingStatus.REJECTED)
        .select_related("register__meter__service")
        .order_by("register_id", "period", "-taken_at", "-id")
    )
    # The reading that counts for a register and period: the newest one entered for it.
    counted: dict[tuple[int, date], models.Reading] = {}
    for reading in readings:
        counted.setdefault((reading.register_id, reading.period), reading)
    register_ids = sorted({r for r, _ in counted})
    before = await period_start_by_register([(r, first) for r in register_ids])
    previous: dict[int, models.Reading | None] = dict(zip(register_ids, before, strict=True))

    services: dict[int, models.Service] = {s.service_id: s.service for s in account_services}
    for line in lines:
        services.setdefault(line.service_id, line.service)
    for reading in counted.values():
        services.setdefault(reading.register.meter.service_id, reading.register.meter.service)
    line_of = {(line.statement.period, line.service_id): line for line in lines}

    # Per (period, service): zone volumes and the sources of the counted readings.
    zones: dict[tuple[date, int], dict[models.MeterZone, Decimal | None]] = defaultdict(dict)
    sources: dict[tuple[date, int], set[models.ReadingSource]] = defaultdict(set)
    for (register_id, period), reading in sorted(counted.items(), key=lambda kv: kv[0][1]):
        start = previous[register_id]
        volume = None if start is None else reading.value - start.value
        previous[register_id] = reading
        key = (period, reading.register.meter.service_id)
        zone = models.MeterZone(reading.register.zone)
        if zone in zones[key]:
            known = zones[key][zone]
            zones[key][zone] = None if known is None or volume is None else known + volume
        else:
            zones[key][zone] = volume
        sources[key].add(models.ReadingSource(reading.source))

    months = []
    period = first
    while period <= last:
        month = []
        for service_id, service in services.items():
            key = (period, service_id)
            billed = line_of.get(key)
            month.append(
                ServiceConsumption(
                    service=service,
                    zones=[
                        ZoneConsumption(zone=z, volume=zones[key][z])
                        for z in _ZONES
                        if z in zones.get(key, {})
                    ],
                    sources=[s for s in _SOURCES if s in sources.get(key, set())],
                    charged=billed.charged if billed else None,
                    billed_volume=billed.volume if billed else None,
                )
            )
        months.append(ConsumptionMonth(period=period, services=month))
        period = periods.add_months(period, 1)
    return months
