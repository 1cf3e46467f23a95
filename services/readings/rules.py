"""The rules a new reading must pass before billing sees it: the meter and zone are the account's,
each register once and all of an entered meter's zones together, a whole number that fits the
column, greater than the period start and plausibly so. All failures of a request are raised at
once, item by item as entered."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import models
from services import periods
from services.errors import DomainError, ErrorCode, FieldError
from services.readings.loaders import registers_with_meters, starts_and_pending
from services.readings.views import ReadingEntry, shown_serial
from settings import Settings

# Twelve digits before the comma: what the reading column holds.
MAX_READING = Decimal(10) ** 12


@dataclass(frozen=True, slots=True)
class Checked:
    """An entry that passed every rule: its register (with the meter) and what it starts from."""

    register: models.MeterRegister
    value: Decimal
    previous: models.Reading | None
    # The customer's pending reading of this register and period, as read before locking.
    pending: models.Reading | None = None


async def check(
    settings: Settings,
    *,
    account: models.Account,
    entries: Sequence[ReadingEntry],
    period: date,
    public: bool = False,
) -> list[Checked]:
    """Applies every rule to every entry and raises all the failures at once. `public` (readings
    without signing in): the messages show serial numbers masked and no earlier reading."""
    if not entries:
        raise DomainError.of(ErrorCode.REQUIRED, "Введите показания счётчика.", "readings")
    registers = await registers_with_meters(account.id)
    by_key = {(r.meter_id, models.MeterZone(r.zone)): r for r in registers}
    meter_ids = {r.meter_id for r in registers}
    errors: list[FieldError] = []
    chosen: dict[int, tuple[str, models.MeterRegister, Decimal]] = {}
    for index, entry in enumerate(entries):
        path = f"readings.{index}"
        raw_id = entry.meter_id.strip()
        meter_id = int(raw_id) if raw_id.isascii() and raw_id.isdigit() else None
        if meter_id not in meter_ids:
            errors.append(FieldError(ErrorCode.NOT_FOUND, "Счётчик не найден.", f"{path}.meterId"))
            continue
        register = by_key.get((meter_id, models.MeterZone(entry.zone)))
        if register is None:
            errors.append(
                FieldError(
                    ErrorCode.NOT_FOUND, "У счётчика нет такой тарифной зоны.", f"{path}.zone"
                )
            )
            continue
        if register.id in chosen:
            errors.append(
                FieldError(
                    ErrorCode.INVALID_INPUT,
                    f"Показание зоны «{register.description}» счётчика "
                    f"{shown_serial(register.meter.serial_number, public)} указано дважды.",
                    path,
                )
            )
            continue
        problem = _value_problem(entry.value)
        if problem:
            errors.append(FieldError(ErrorCode.INVALID_INPUT, problem, f"{path}.value"))
        chosen[register.id] = (path, register, entry.value)

    # Billing charges a multi-zone meter by all its zones at once: a lone zone cannot be billed.
    entered_meters = {register.meter_id for _, register, _ in chosen.values()}
    for register in registers:
        if register.meter_id in entered_meters and register.id not in chosen:
            errors.append(
                FieldError(
                    ErrorCode.REQUIRED,
                    f"Введите показание зоны «{register.description}» счётчика "
                    f"{shown_serial(register.meter.serial_number, public)}: "
                    "зоны счётчика передаются вместе.",
                    "readings",
                )
            )

    starts, pending = await starts_and_pending(list(chosen), period)
    checked: list[Checked] = []
    for path, register, value in chosen.values():
        previous = starts.get(register.id)
        if _value_problem(value):
            continue
        if previous is not None:
            too_low_or_high = _compared(
                settings, value, previous, period, public=public, field=f"{path}.value"
            )
            if too_low_or_high:
                errors.append(too_low_or_high)
                continue
        checked.append(
            Checked(register, value.quantize(Decimal(1)), previous, pending.get(register.id))
        )
    if errors:
        # Item by item as entered, then what concerns the request as a whole.
        raise DomainError(*sorted(errors, key=_error_order))
    return checked


def _error_order(error: FieldError) -> tuple[int, str]:
    parts = (error.field or "").split(".")
    return (int(parts[1]), error.field or "") if len(parts) > 1 else (1 << 30, "")


def _value_problem(value: Decimal) -> str | None:
    if not value.is_finite():
        return "Введите показание числом."
    if value < 0:
        return "Показание не может быть отрицательным."
    if value != value.to_integral_value():
        return "Введите показание целым числом: только цифры до запятой."
    if value >= MAX_READING:
        return "Показание слишком длинное."
    return None


def _compared(
    settings: Settings,
    value: Decimal,
    previous: models.Reading,
    period: date,
    *,
    public: bool,
    field: str,
) -> FieldError | None:
    # Without signing in the earlier reading is not told: it is the holder's consumption history.
    shown = "" if public else f" ({_plain(previous.value)})"
    if value <= previous.value:
        return FieldError(
            ErrorCode.READING_NOT_GREATER,
            f"Показание должно быть больше предыдущего{shown}.",
            field,
        )
    # The limit is per month: a customer who skipped months may legitimately be further ahead.
    months = max(1, periods.months_between(previous.period, period) - 1)
    limit = settings.reading_monthly_limit * months
    if value - previous.value > limit:
        return FieldError(
            ErrorCode.READING_TOO_HIGH,
            f"Показание больше предыдущего{shown} более чем на {_plain(limit)}: "
            "проверьте, нет ли ошибки.",
            field,
        )
    return None


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"
