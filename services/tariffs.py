"""The public tariff calculator: what a consumption costs at the rates in force on a date.

No account, no sign-in, no personal data: a service of the catalogue, a date and a volume (or
a meter's two readings) per zone. Cost per zone is volume × rate rounded to kopecks half-up, as
the readings preview does; the total is the sum of the rounded lines. Two SQL statements: the
service by code and its rates that started on or before the date."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import models
from services import clock, periods
from services.errors import DomainError, ErrorCode, FieldError

CENT = Decimal("0.01")
# Every zone at most once: no more zones than MeterZone has.
MAX_ZONES = len(models.MeterZone)
# Dates the calculator answers for: ten years back, one year ahead of today (local).
YEARS_BACK = 10
DAYS_AHEAD = 366
# A volume a household meter cannot reach in a period; keeps the arithmetic well inside Decimal.
MAX_VOLUME = Decimal("1000000000")
_ZONE_ORDER = list(models.MeterZone)


@dataclass(frozen=True, slots=True)
class ZoneConsumption:
    """One zone of the request: a volume, or a meter's previous and current readings."""

    zone: models.MeterZone
    volume: Decimal | None = None
    previous: Decimal | None = None
    current: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ZoneRate:
    zone: models.MeterZone
    rate: Decimal
    valid_from: date


@dataclass(frozen=True, slots=True)
class CalculationLine:
    zone: models.MeterZone
    rate: Decimal
    valid_from: date
    previous: Decimal | None
    current: Decimal | None
    volume: Decimal
    cost: Decimal


@dataclass(frozen=True, slots=True)
class Calculation:
    service: models.Service
    on: date
    lines: list[CalculationLine]
    total_volume: Decimal
    total_cost: Decimal


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    service: models.Service
    rates: list[ZoneRate]


def _date_errors(timezone: str, on: date) -> list[FieldError]:
    today = periods.local_today(timezone, clock.now())
    earliest = today.replace(year=today.year - YEARS_BACK, day=1)
    latest = today + timedelta(days=DAYS_AHEAD)
    if earliest <= on <= latest:
        return []
    message = f"Расчёт возможен на дату с {earliest:%d.%m.%Y} по {latest:%d.%m.%Y}."
    return [FieldError(ErrorCode.INVALID_INPUT, message, "input.date")]


def _volume(index: int, item: ZoneConsumption) -> tuple[Decimal | None, list[FieldError]]:
    """The zone's volume, or why there is none."""
    path = f"input.zones.{index}"
    has_readings = item.previous is not None or item.current is not None
    if item.volume is not None and has_readings:
        return None, [
            FieldError(
                ErrorCode.INVALID_INPUT,
                "Укажите либо расход, либо два показания, но не то и другое.",
                f"{path}.volume",
            )
        ]
    if item.volume is not None:
        if item.volume < 0:
            return None, [
                FieldError(
                    ErrorCode.INVALID_INPUT, "Расход не может быть отрицательным.", f"{path}.volume"
                )
            ]
        volume = item.volume + 0  # "-0" counts as 0
    elif has_readings:
        if item.previous is None or item.current is None:
            field = "previous" if item.previous is None else "current"
            return None, [
                FieldError(
                    ErrorCode.REQUIRED, "Укажите предыдущее и текущее показания.", f"{path}.{field}"
                )
            ]
        if item.previous < 0:
            return None, [
                FieldError(
                    ErrorCode.INVALID_INPUT,
                    "Показание не может быть отрицательным.",
                    f"{path}.previous",
                )
            ]
        if item.current < item.previous:
            return None, [
                FieldError(
                    ErrorCode.READING_NOT_GREATER,
                    "Текущее показание меньше предыдущего.",
                    f"{path}.current",
                )
            ]
        volume = item.current - item.previous
    else:
        return None, [
            FieldError(
                ErrorCode.REQUIRED,
                "Укажите расход или предыдущее и текущее показания.",
                f"{path}.volume",
            )
        ]
    if volume > MAX_VOLUME:
        return None, [
            FieldError(ErrorCode.INVALID_INPUT, "Слишком большой расход.", f"{path}.volume")
        ]
    return volume, []


def in_force(
    rows: Sequence[models.TariffRate], on: date
) -> dict[int, dict[str, models.TariffRate]]:
    """Service id -> zone -> the rate in force on `on`: the latest that started by then."""
    found: dict[int, dict[str, models.TariffRate]] = {}
    for row in rows:
        if row.valid_from > on:
            continue
        zones = found.setdefault(row.service_id, {})
        known = zones.get(row.zone)
        if known is None or known.valid_from < row.valid_from:
            zones[row.zone] = row
    return found


def _zone_rate(row: models.TariffRate) -> ZoneRate:
    return ZoneRate(zone=models.MeterZone(row.zone), rate=row.rate, valid_from=row.valid_from)


async def calculate(
    timezone: str, *, service_code: str, on: date | None, zones: Sequence[ZoneConsumption]
) -> Calculation:
    """The cost of `zones` of the service at the rates in force on `on` (today when None)."""
    day = on or periods.local_today(timezone, clock.now())
    errors = _date_errors(timezone, day)
    if not zones:
        errors.append(
            FieldError(ErrorCode.REQUIRED, "Укажите расход хотя бы по одной зоне.", "input.zones")
        )
    elif len(zones) > MAX_ZONES:
        errors.append(
            FieldError(
                ErrorCode.INVALID_INPUT, f"Зон не может быть больше {MAX_ZONES}.", "input.zones"
            )
        )
    volumes: list[Decimal | None] = []
    seen: set[models.MeterZone] = set()
    for index, item in enumerate(zones[:MAX_ZONES]):
        if item.zone in seen:
            errors.append(
                FieldError(
                    ErrorCode.INVALID_INPUT, "Эта зона указана дважды.", f"input.zones.{index}.zone"
                )
            )
        seen.add(item.zone)
        volume, found = _volume(index, item)
        volumes.append(volume)
        errors += found
    if errors:
        raise DomainError(*errors)

    service = await models.Service.get_or_none(code=service_code)
    if service is None:
        raise DomainError.of(ErrorCode.NOT_FOUND, "Такой услуги нет.", "input.serviceCode")
    rows = await models.TariffRate.filter(service_id=service.id, valid_from__lte=day)
    rates = in_force(rows, day).get(service.id, {})
    lines = []
    for index, (item, volume) in enumerate(zip(zones, volumes, strict=True)):
        row = rates.get(item.zone.value)
        if row is None:
            errors.append(
                FieldError(
                    ErrorCode.NOT_FOUND,
                    f"На {day:%d.%m.%Y} тарифа для этой зоны нет.",
                    f"input.zones.{index}.zone",
                )
            )
            continue
        assert volume is not None
        lines.append(
            CalculationLine(
                zone=item.zone,
                rate=row.rate,
                valid_from=row.valid_from,
                previous=item.previous,
                current=item.current,
                volume=volume,
                cost=(volume * row.rate).quantize(CENT, rounding=ROUND_HALF_UP),
            )
        )
    if errors:
        raise DomainError(*errors)
    lines.sort(key=lambda line: _ZONE_ORDER.index(line.zone))
    return Calculation(
        service=service,
        on=day,
        lines=lines,
        total_volume=sum((line.volume for line in lines), Decimal(0)),
        total_cost=sum((line.cost for line in lines), Decimal(0)),
    )


async def catalogue(timezone: str, *, on: date | None) -> tuple[date, list[CatalogueEntry]]:
    """What can be calculated on `on` (today when None): every service with its rates in force,
    zones in MeterZone order; services without any rate yet are left out."""
    day = on or periods.local_today(timezone, clock.now())
    errors = _date_errors(timezone, day)
    if errors:
        raise DomainError(*errors)
    services = await models.Service.all().order_by("id")
    rows = await models.TariffRate.filter(valid_from__lte=day)
    found = in_force(rows, day)
    entries = []
    for service in services:
        zones = found.get(service.id)
        if zones:
            rates = sorted(
                (_zone_rate(r) for r in zones.values()), key=lambda r: _ZONE_ORDER.index(r.zone)
            )
            entries.append(CatalogueEntry(service=service, rates=rates))
    return day, entries
