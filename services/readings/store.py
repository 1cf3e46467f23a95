"""Storing readings: one pending customer reading per register and period (its `customer_slot`),
written with one upsert however many submissions race."""

from __future__ import annotations

import functools
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from tortoise.transactions import in_transaction

import models
from infra import database
from services.errors import DomainError, ErrorCode
from services.periods import month_name

if TYPE_CHECKING:
    # Only a type: rules read the slots through loaders, which import customer_slot from here.
    from services.readings.rules import Checked


def customer_slot(register_id: int, period: date) -> str:
    return f"{register_id}:{period.isoformat()}"


def cabinet_reading_kept(period: date) -> DomainError:
    return DomainError.of(
        ErrorCode.ALREADY_EXISTS,
        f"Показания за {month_name(period)} уже переданы в личном кабинете. Без входа их изменить "
        "нельзя: войдите в личный кабинет.",
        "readings",
    )


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


async def store(
    checked: list[Checked],
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
    crosswise. Built as text because it is the hot path of the submission (the ORM has no upsert
    with RETURNING), once per number of rows and dialect.
    """
    unchanged = [
        item.pending
        for item in checked
        if item.pending is not None and item.pending.value == item.value
    ]
    if len(unchanged) == len(checked):
        # The same values again: nothing to write (as if this came just before any racing change).
        return unchanged
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
    if models.ReadingSource(source) == models.ReadingSource.PUBLIC:
        async with in_transaction() as connection:
            stored = _by_slot(checked, period, await connection.execute_query_dict(sql, values))
            if stored is None:
                # A cabinet reading came in since the checks: all or nothing, so nothing.
                raise cabinet_reading_kept(period)
            return stored
    # The guard of the upsert never holds a cabinet submission back: one statement, no transaction.
    stored = _by_slot(checked, period, await db.execute_query_dict(sql, values))
    assert stored is not None, "the upsert held a cabinet reading back"
    return stored


def _by_slot(
    checked: list[Checked], period: date, rows: list[dict[str, Any]]
) -> list[models.Reading] | None:
    """The stored readings in the order of `checked`; None when the upsert left a row alone."""
    by_slot = {row["customer_slot"]: models.Reading._init_from_db(**row) for row in rows}
    slots = [customer_slot(item.register.id, period) for item in checked]
    return [by_slot[slot] for slot in slots] if all(slot in by_slot for slot in slots) else None


@functools.cache
def _upsert_sql(count: int, dialect: str) -> str:
    width = len(_UPSERT_COLUMNS)
    if dialect == "postgres":
        rows = (
            "(" + database.placeholders(width, i * width + 1) + ")"
            for i in range(count)
        )
    else:
        rows = ("(" + ", ".join(["?"] * width) + ")" for _ in range(count))
    return _UPSERT.format(rows=", ".join(rows))
