"""Reads in batches: the DataLoaders' batch functions (results in key order) and the two reads a
submission is checked against, written out in SQL."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from tortoise.expressions import Q
from tortoise.functions import Max

import models
from infra import database
from services import periods
from services.readings.store import customer_slot

_PERIOD = models.Reading._meta.fields_map["period"]
_REJECTED = models.ReadingStatus.REJECTED.value


async def meters_by_account(account_ids: Sequence[int]) -> list[list[models.Meter]]:
    # Written out, as the dashboard's other batches (services.accounts): same rows, same order.
    return await database.fetch_grouped(models.Meter, "account_id", account_ids, order_by="id")


async def meters_by_id(ids: Sequence[int]) -> list[models.Meter | None]:
    rows = {m.id: m for m in await models.Meter.filter(id__in=ids)}
    return [rows.get(k) for k in ids]


async def registers_by_meter(meter_ids: Sequence[int]) -> list[list[models.MeterRegister]]:
    return await database.fetch_grouped(
        models.MeterRegister, "meter_id", meter_ids, order_by="position, id"
    )


async def period_start_by_register(
    keys: Sequence[tuple[int, date]],
) -> list[models.Reading | None]:
    """For (register id, period) keys: the last reading that is not rejected, of an earlier
    period: the value the period starts from.

    One statement, whatever the history: per period asked for, the latest earlier period of each
    register is found in SQL (MAX over the index of register and period), and only that
    period's readings are read; newest first, so the first one of a register before a period
    is the answer.
    """
    if not keys:
        return []
    by_period: dict[date, list[int]] = defaultdict(list)
    for register_id, period in dict.fromkeys(keys):
        by_period[period].append(register_id)
    shape = tuple(len(ids) for ids in by_period.values())
    values: list[object] = [_REJECTED]
    for period, ids in by_period.items():
        values += [*ids, _PERIOD.to_db_value(period, models.Reading), _REJECTED]
    rows = await database.fetch(models.Reading, _period_start_sql(shape), *values)
    by_register: dict[int, list[models.Reading]] = defaultdict(list)
    for row in rows:
        reading = models.Reading._init_from_db(**row)
        by_register[reading.register_id].append(reading)
    return [
        next((r for r in by_register.get(register_id, []) if r.period < period), None)
        for register_id, period in keys
    ]


@functools.cache
def _period_start_sql(shape: tuple[int, ...]) -> str:
    """Usable readings of the latest period before each asked period, for groups of `shape[i]`
    registers asking for one period each; placeholders in the order of the values."""
    n = 2  # $1: the outer status
    parts = []
    for count in shape:
        ids = database.placeholders(count, n)
        n += count
        parts.append(
            "SELECT register_id, MAX(period) FROM reading "
            f"WHERE register_id IN ({ids}) AND period < ${n} AND NOT status = ${n + 1} "
            "GROUP BY register_id"
        )
        n += 2
    return (
        "SELECT * FROM reading WHERE NOT status = $1 AND (register_id, period) IN ("
        + " UNION ALL ".join(parts)
        + ") ORDER BY register_id, period DESC, taken_at DESC, id DESC"
    )


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


async def _usable_readings(conditions: Iterable[Q]) -> list[models.Reading]:
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
    register_ids = list(dict.fromkeys(k[0] for k in keys))
    periods_ = [_PERIOD.to_db_value(p, models.Reading) for p in dict.fromkeys(k[1] for k in keys)]
    sql = (
        f"SELECT * FROM reading WHERE register_id IN ({database.placeholders(len(register_ids))}) "
        f"AND period IN ({database.placeholders(len(periods_), len(register_ids) + 1)}) "
        "ORDER BY taken_at DESC, id DESC"
    )
    newest: dict[tuple[int, date], models.Reading] = {}
    for row in await database.fetch(models.Reading, sql, *register_ids, *periods_):
        reading = models.Reading._init_from_db(**row)
        newest.setdefault((reading.register_id, reading.period), reading)
    return [newest.get(k) for k in keys]


# --- what a submission is checked against

# The submission's two reads, written out: building them through the ORM cost more CPU than
# running them (docs/perf.md, Readings). Same rows, same order as the ORM queries they replace.


async def starts_and_pending(
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


async def registers_with_meters(account_id: int) -> list[models.MeterRegister]:
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
    ids = database.placeholders(count)
    return (
        f"SELECT * FROM reading WHERE register_id IN ({ids}) AND period >= ${count + 1} "
        f"AND period <= ${count + 2} AND NOT status = ${count + 3} "
        "ORDER BY register_id, period DESC, taken_at DESC, id DESC"
    )
