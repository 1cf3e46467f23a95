"""Meters, registers and readings: what a period starts from, what was entered in it, the rules a
new reading must pass before billing sees it, storing it, and the history."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

from tortoise.expressions import Q
from tortoise.functions import Max
from tortoise.transactions import in_transaction

import models
from infra import database
from infra.runtime import Runtime
from services import accounts, periods
from services.errors import DomainError, ErrorCode, FieldError
from settings import Settings

CENT = Decimal("0.01")
# Twelve digits before the comma: what the reading column holds.
MAX_READING = Decimal(10) ** 12
MONTHS = "январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь".split()


# --- views handed to the schema


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
    # Billing's words when it rejected the reading; None for any other status.
    rejection_reason: str | None = None


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
    # Said to the customer when the readings count for the next period.
    notice: str | None = None


@dataclass(frozen=True, slots=True)
class Submission:
    """Stored readings, the period they count for, and what to tell the customer about it."""

    readings: list[ReadingView]
    period: date
    notice: str | None = None


def reading_view(
    row: models.Reading,
    *,
    serial_number: str,
    zone: models.MeterZone | str,
    previous: models.Reading | None,
) -> ReadingView:
    """`previous` is the period-start reading of row's period: consumption is measured from it."""
    status = models.ReadingStatus(row.status)
    return ReadingView(
        id=row.id,
        meter_serial_number=serial_number,
        zone=models.MeterZone(zone),
        value=row.value,
        consumption=None if previous is None else row.value - previous.value,
        source=models.ReadingSource(row.source),
        status=status,
        taken_at=row.taken_at,
        period=row.period,
        rejection_reason=row.rejection_reason if status == models.ReadingStatus.REJECTED else None,
    )


# --- batch functions for DataLoaders (results in key order)


async def meters_by_account(account_ids: Sequence[int]) -> list[list[models.Meter]]:
    rows = await models.Meter.filter(account_id__in=account_ids).order_by("id")
    grouped: dict[int, list[models.Meter]] = defaultdict(list)
    for row in rows:
        grouped[row.account_id].append(row)
    return [grouped.get(k, []) for k in account_ids]


async def meters_by_id(ids: Sequence[int]) -> list[models.Meter | None]:
    rows = {m.id: m for m in await models.Meter.filter(id__in=ids)}
    return [rows.get(k) for k in ids]


async def registers_by_meter(meter_ids: Sequence[int]) -> list[list[models.MeterRegister]]:
    rows = await models.MeterRegister.filter(meter_id__in=meter_ids).order_by("position", "id")
    grouped: dict[int, list[models.MeterRegister]] = defaultdict(list)
    for row in rows:
        grouped[row.meter_id].append(row)
    return [grouped.get(k, []) for k in meter_ids]


async def period_start_by_register(
    keys: Sequence[tuple[int, date]],
) -> list[models.Reading | None]:
    """For (register id, period) keys: the last reading that is not rejected, of an earlier
    period: the value the period starts from.

    Readings come about monthly, so the month before the earliest period asked for usually
    holds the answer: one query loads each register's readings from that month up to the
    latest period asked for. Only registers with nothing there are looked up further back
    (the newest earlier period, then its readings).
    """
    if not keys:
        return []
    asked: dict[int, tuple[date, date]] = {}
    for register_id, period in keys:
        low, high = asked.get(register_id, (period, period))
        asked[register_id] = (min(low, period), max(high, period))
    near = await _usable_readings(
        Q(register_id=r, period__gte=periods.add_months(low, -1), period__lt=high)
        for r, (low, high) in asked.items()
    )
    by_register: dict[int, list[models.Reading]] = defaultdict(list)
    for row in near:
        by_register[row.register_id].append(row)

    def newest_before(register_id: int, period: date) -> models.Reading | None:
        return next((r for r in by_register.get(register_id, []) if r.period < period), None)

    result = [newest_before(r, p) for r, p in keys]
    unresolved = {r for (r, _), found in zip(keys, result, strict=True) if found is None}
    if not unresolved:
        return result
    # Nothing from a month before the earliest period asked for: the answer for every unresolved
    # key of a register is its newest usable reading before that month.
    older = await _newest_before({r: periods.add_months(asked[r][0], -1) for r in unresolved})
    return [found or older.get(r) for (r, _), found in zip(keys, result, strict=True)]


async def _newest_before(bounds: dict[int, date]) -> dict[int, models.Reading]:
    """Per register id: its newest usable reading of a period before the bound, if any."""
    latest = (
        await models.Reading.filter(
            Q(*(Q(register_id=r, period__lt=b) for r, b in bounds.items()), join_type="OR")
        )
        .exclude(status=models.ReadingStatus.REJECTED)
        .annotate(last=Max("period"))
        .group_by("register_id")
        .values("register_id", "last")
    )
    if not latest:
        return {}
    further = await _usable_readings(
        Q(register_id=row["register_id"], period=_as_date(row["last"])) for row in latest
    )
    older: dict[int, models.Reading] = {}
    for row in further:
        older.setdefault(row.register_id, row)
    return older


async def _starts_and_pending(
    register_ids: Sequence[int], period: date
) -> tuple[dict[int, models.Reading], dict[int, models.Reading]]:
    """For a submission, per register id: the reading the period starts from, and the
    customer's pending reading of the period. One query when the month before holds a reading."""
    if not register_ids:
        return {}, {}
    rows = [
        models.Reading._init_from_db(**row)
        for row in await database.fetch(
            models.Reading,
            _around_period_sql(len(register_ids)),
            *register_ids,
            *(
                _PERIOD.to_db_value(p, models.Reading)
                for p in (periods.add_months(period, -1), period)
            ),
            models.ReadingStatus.REJECTED.value,
        )
    ]
    starts: dict[int, models.Reading] = {}
    pending: dict[int, models.Reading] = {}
    for row in rows:
        if row.period < period:
            starts.setdefault(row.register_id, row)
        elif row.customer_slot == customer_slot(row.register_id, period):
            pending[row.register_id] = row
    missing = [r for r in register_ids if r not in starts]
    if missing:
        starts |= await _newest_before({r: periods.add_months(period, -1) for r in missing})
    return starts, pending


# The submission's two reads, written out: building them through the ORM cost more CPU than
# running them (docs/perf.md, Readings). Same rows, same order as the ORM queries they replace.
_PERIOD = models.Reading._meta.fields_map["period"]


@functools.cache
def _registers_sql() -> str:
    # Built on first use: the models' columns are complete once Tortoise is initialised.
    meter = ", ".join(
        f'm.{c} AS "meter.{c}"' for c in models.Meter._meta.fields_db_projection.values()
    )
    return (
        f"SELECT r.*, {meter} FROM meter_register r JOIN meter m ON m.id = r.meter_id "
        "WHERE m.account_id = $1 ORDER BY r.meter_id, r.position, r.id"
    )


async def _registers_with_meters(account_id: int) -> list[models.MeterRegister]:
    """The account's registers, each with its meter, in meter and position order."""
    registers = []
    for row in await database.fetch(models.MeterRegister, _registers_sql(), account_id):
        meter = models.Meter._init_from_db(
            **{key[6:]: row.pop(key) for key in list(row) if key.startswith("meter.")}
        )
        register = models.MeterRegister._init_from_db(**row)
        object.__setattr__(register, "_meter", meter)
        registers.append(register)
    return registers


@functools.cache
def _around_period_sql(count: int) -> str:
    """Usable readings of `count` registers from a month up to a period, newest first."""
    ids = ", ".join(f"${i + 1}" for i in range(count))
    return (
        f"SELECT * FROM reading WHERE register_id IN ({ids}) AND period >= ${count + 1} "
        f"AND period <= ${count + 2} AND NOT status = ${count + 3} "
        "ORDER BY register_id, period DESC, taken_at DESC, id DESC"
    )


async def _usable_readings(conditions) -> list[models.Reading]:
    """Readings matching any of the conditions, not rejected, newest first per register."""
    return (
        await models.Reading.filter(Q(*conditions, join_type="OR"))
        .exclude(status=models.ReadingStatus.REJECTED)
        .order_by("register_id", "-period", "-taken_at", "-id")
    )


def _as_date(value: date | str) -> date:
    # SQLite answers an aggregate over a date column with its text.
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


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


# --- the submission window


def entry_period(settings: Settings, at: datetime | None = None) -> date:
    """The period a reading entered now counts for: the current one on the days of the window
    (readings_window_start_day..readings_window_end_day, local calendar), the next one outside it.
    """
    today = periods.local_today(settings.timezone, at)
    current = periods.period_of(today)
    if settings.readings_window_start_day <= today.day <= settings.readings_window_end_day:
        return current
    return periods.add_months(current, 1)


def window_notice(settings: Settings, period: date, at: datetime | None = None) -> str | None:
    """What to tell the customer when readings entered now count for the next period."""
    current = periods.current_period(settings.timezone, at)
    if period == current:
        return None
    start, end = settings.readings_window_start_day, settings.readings_window_end_day
    return (
        f"Показания за {_month(current)} принимаются с {start} по {end} число. "
        f"Переданные сейчас показания будут учтены в расчёте за {_month(period)}."
    )


def _month(period: date) -> str:
    return f"{MONTHS[period.month - 1]} {period.year} г."


# --- the rules


@dataclass(frozen=True, slots=True)
class _Checked:
    """An entry that passed every rule: its register (with the meter) and what it starts from."""

    register: models.MeterRegister
    value: Decimal
    previous: models.Reading | None
    # The customer's pending reading of this register and period, as read before locking.
    pending: models.Reading | None = None


async def _check(
    settings: Settings,
    *,
    account: models.Account,
    entries: Sequence[ReadingEntry],
    period: date,
    public: bool = False,
) -> list[_Checked]:
    """Applies every rule to every entry and raises all the failures at once. `public` (readings
    without signing in): the messages show serial numbers masked and no earlier reading."""
    if not entries:
        raise DomainError.of(ErrorCode.REQUIRED, "Введите показания счётчика.", "readings")
    registers = await _registers_with_meters(account.id)
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

    starts, pending = await _starts_and_pending(list(chosen), period)
    checked: list[_Checked] = []
    for path, register, value in chosen.values():
        previous = starts.get(register.id)
        if _value_problem(value):
            continue
        if previous is not None:
            problem = _compared(settings, value, previous, period, public=public)
            if problem:
                errors.append(FieldError(problem[0], problem[1], f"{path}.value"))
                continue
        checked.append(
            _Checked(register, value.quantize(Decimal(1)), previous, pending.get(register.id))
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
    settings: Settings, value: Decimal, previous: models.Reading, period: date, *, public: bool
) -> tuple[ErrorCode, str] | None:
    # Without signing in the earlier reading is not told: it is the holder's consumption history.
    shown = "" if public else f" ({_plain(previous.value)})"
    if value <= previous.value:
        return (
            ErrorCode.READING_NOT_GREATER,
            f"Показание должно быть больше предыдущего{shown}.",
        )
    # The limit is per month: a customer who skipped months may legitimately be further ahead.
    months = max(1, periods.months_between(previous.period, period) - 1)
    limit = settings.reading_monthly_limit * months
    if value - previous.value > limit:
        return (
            ErrorCode.READING_TOO_HIGH,
            f"Показание больше предыдущего{shown} более чем на {_plain(limit)}: "
            "проверьте, нет ли ошибки.",
        )
    return None


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


def shown_serial(serial_number: str, public: bool) -> str:
    """The serial number as shown: without signing in, only its last three characters («…060»),
    enough to tell one's meters apart."""
    return f"…{serial_number[-3:]}" if public else serial_number


# --- preview and submission


async def preview(
    rt: Runtime, *, account: models.Account, entries: Sequence[ReadingEntry]
) -> Preview:
    """Consumption and cost of new readings, at the rates in force today; stores nothing."""
    now = datetime.now(UTC)
    period = entry_period(rt.settings, now)
    checked = await _check(rt.settings, account=account, entries=entries, period=period)
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


async def submit(
    rt: Runtime,
    *,
    account: models.Account,
    entries: Sequence[ReadingEntry],
    source: models.ReadingSource,
    user_id: int | None,
) -> Submission:
    """Checks every entry, then stores them all (PENDING) or nothing. A customer's pending
    reading of a register in this period is replaced; the same value again changes nothing.
    Readings without signing in (PUBLIC) never replace one the holder entered in the cabinet:
    that is refused, and their answer shows masked serial numbers and no consumption (it would
    tell the earlier reading)."""
    public = models.ReadingSource(source) == models.ReadingSource.PUBLIC
    now = datetime.now(UTC)
    period = entry_period(rt.settings, now)
    checked = await _check(
        rt.settings, account=account, entries=entries, period=period, public=public
    )
    if public and any(_holds_cabinet_reading(item.pending) for item in checked):
        raise cabinet_reading_kept(period)
    rows = await _store(checked, period=period, source=source, user_id=user_id, now=now)
    views = [
        reading_view(
            row,
            serial_number=shown_serial(item.register.meter.serial_number, public),
            zone=item.register.zone,
            previous=None if public else item.previous,
        )
        for item, row in zip(checked, rows, strict=True)
    ]
    return Submission(readings=views, period=period, notice=window_notice(rt.settings, period, now))


def _holds_cabinet_reading(pending: models.Reading | None) -> bool:
    return pending is not None and pending.source == models.ReadingSource.CABINET


def cabinet_reading_kept(period: date) -> DomainError:
    return DomainError.of(
        ErrorCode.ALREADY_EXISTS,
        f"Показания за {_month(period)} уже переданы в личном кабинете. Без входа их изменить "
        "нельзя: войдите в личный кабинет.",
        "readings",
    )


def customer_slot(register_id: int, period: date) -> str:
    return f"{register_id}:{period.isoformat()}"


# When the slot is taken, the pending reading gets the new value; its other columns change only
# if the value does (the same value again leaves the reading as it was). Every SET expression
# reads the row as it was before the statement. CAST keeps SQLite (decimals as text) numeric.
_SAME_VALUE = "CAST(reading.value AS NUMERIC) = CAST(excluded.value AS NUMERIC)"
_UPSERT = (
    "INSERT INTO reading (register_id, period, value, source, status, taken_at, created_at, "
    "user_id, customer_slot) VALUES {rows} ON CONFLICT (customer_slot) DO UPDATE SET "
    f"source = CASE WHEN {_SAME_VALUE} THEN reading.source ELSE excluded.source END, "
    f"taken_at = CASE WHEN {_SAME_VALUE} THEN reading.taken_at ELSE excluded.taken_at END, "
    f"user_id = CASE WHEN {_SAME_VALUE} THEN reading.user_id ELSE excluded.user_id END, "
    # A new value must reach billing again, even if the old one was exported.
    f"exported_at = CASE WHEN {_SAME_VALUE} THEN reading.exported_at ELSE NULL END, "
    f"value = CASE WHEN {_SAME_VALUE} THEN reading.value ELSE excluded.value END "
    # A reading without signing in never rewrites one the holder entered in the cabinet, even
    # one entered after the submission's checks: that row is then left alone and not returned.
    f"WHERE NOT (reading.source = '{models.ReadingSource.CABINET.value}' "
    f"AND excluded.source = '{models.ReadingSource.PUBLIC.value}') "
    "RETURNING *"
)
_UPSERT_COLUMNS = (
    "register_id", "period", "value", "source", "status", "taken_at", "created_at", "user_id",
    "customer_slot",
)  # fmt: skip


async def _store(
    checked: list[_Checked],
    *,
    period: date,
    source: models.ReadingSource,
    user_id: int | None,
    now: datetime,
) -> list[models.Reading]:
    """One pending customer reading per register and period, however many submissions race.

    The unique customer_slot decides, in one statement: a register whose slot is free gets a new
    pending reading, one whose slot is taken has that reading rewritten (INSERT ... ON CONFLICT
    DO UPDATE, which PostgreSQL makes atomic against racing inserts and against billing freeing
    the slot meanwhile). One statement is atomic, so no explicit transaction is needed (except
    without signing in, where a row the cabinet holds may be left alone and the others must then
    be undone); rows go in register order, so two submissions never wait on each other
    crosswise. Built as text
    because it is the hot path of the submission (the ORM has no upsert with RETURNING), once
    per number of rows and dialect.
    """
    if all(item.pending is not None and item.pending.value == item.value for item in checked):
        # The same values again: nothing to write (as if this came just before any racing change).
        return [item.pending for item in checked]  # type: ignore[misc]
    db = models.Reading._meta.db
    # Converted as the ORM converts them for this database (the value with the column's three
    # decimals, as a model stores it: SQLite keeps it as text).
    fields = [models.Reading._meta.fields_map[c] for c in _UPSERT_COLUMNS]
    values: list[object] = []
    for item in sorted(checked, key=lambda c: c.register.id):
        row = (
            item.register.id, period, fields[2].to_python_value(item.value), source, models.ReadingStatus.PENDING, now, now,
            user_id, customer_slot(item.register.id, period),
        )  # fmt: skip
        values += [
            None if value is None else field.to_db_value(value, models.Reading)
            for field, value in zip(fields, row, strict=True)
        ]
    sql = _upsert_sql(len(checked), db.capabilities.dialect)
    if models.ReadingSource(source) != models.ReadingSource.PUBLIC:
        # The guard above never holds a cabinet submission back: one statement, no transaction.
        return _by_slot(checked, period, await db.execute_query_dict(sql, values))  # type: ignore[return-value]
    async with in_transaction() as connection:
        stored = _by_slot(checked, period, await connection.execute_query_dict(sql, values))
        if None in stored:
            # A cabinet reading came in since the checks: all or nothing, so nothing.
            raise cabinet_reading_kept(period)
    return stored  # type: ignore[return-value]


def _by_slot(
    checked: list[_Checked], period: date, rows: list[dict]
) -> list[models.Reading | None]:
    """The stored readings in the order of `checked`; None where the upsert left a row alone."""
    by_slot = {row["customer_slot"]: models.Reading._init_from_db(**row) for row in rows}
    return [by_slot.get(customer_slot(item.register.id, period)) for item in checked]


@functools.cache
def _upsert_sql(count: int, dialect: str) -> str:
    width = len(_UPSERT_COLUMNS)
    if dialect == "postgres":
        rows = (
            "(" + ", ".join(f"${i * width + j + 1}" for j in range(width)) + ")"
            for i in range(count)
        )
    else:
        rows = ("(" + ", ".join(["?"] * width) + ")" for _ in range(count))
    return _UPSERT.format(rows=", ".join(rows))


# --- billing's verdict


def verdict(status: models.ReadingStatus, reason: str | None = None) -> dict[str, object]:
    """The fields of a reading that billing accepted or rejected. A judged reading gives up its
    customer slot, so the customer's next entry for that register and period is a new pending
    reading instead of a rewrite of one billing has already judged. `reason` is kept for a
    rejection only."""
    status = models.ReadingStatus(status)
    if status == models.ReadingStatus.PENDING:
        raise DomainError.of(ErrorCode.INVALID_INPUT, "Показание нельзя вернуть на проверку.")
    return {
        "status": status,
        "rejection_reason": reason if status == models.ReadingStatus.REJECTED else None,
        "customer_slot": None,
    }


async def set_reading_status(
    reading_id: int, status: models.ReadingStatus, reason: str | None = None
) -> None:
    """Billing accepted or rejected one reading (see `verdict`)."""
    updated = await models.Reading.filter(id=reading_id).update(**verdict(status, reason))
    if not updated:
        raise DomainError.of(ErrorCode.NOT_FOUND, "Показание не найдено.")


# --- without signing in


async def public_account(number: str) -> models.Account | None:
    """The account, if a holder of it allows readings without signing in; None otherwise
    (whether it exists or not)."""
    number = accounts.account_number(number)
    if number is None:
        return None
    link = (
        await models.UserAccount.filter(
            account__number=number,
            is_holder=True,
            user__allow_readings_without_auth=True,
        )
        .select_related("account")
        .first()
    )
    return link.account if link else None


def refused_without_auth() -> DomainError:
    return DomainError.of(
        ErrorCode.NOT_FOUND,
        "Передать показания без входа по этому лицевому счёту нельзя. Войдите в личный кабинет.",
        "accountNumber",
    )
