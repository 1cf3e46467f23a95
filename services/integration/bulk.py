"""Set-based SQL for large imports, in the transaction's connection.

Model.bulk_create and filter(x__in=[...]) are correct but slow for batches of thousands of rows:
building a model per row, and a query-builder term per value of an IN list, cost most of the
time of a large import. These helpers send the same statements from plain values: on PostgreSQL
one `INSERT ... SELECT FROM unnest(...)` per batch and `= ANY($1)` for key lookups; elsewhere
(SQLite) executemany and IN lists. Values are converted with each field's to_db_value, as
Tortoise does; auto-filled fields (created_at, ...) must be given explicitly.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Sequence
from enum import Enum
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.fields import data as tf
from tortoise.models import Model

M = TypeVar("M", bound=Model)
K = TypeVar("K", bound=Hashable)

# PostgreSQL array types for unnest, by field class (checked in order: subclasses first).
_PG_TYPES: tuple[tuple[type, str], ...] = (
    (tf.CharEnumFieldInstance, "text"),
    (tf.BooleanField, "boolean"),
    (tf.BigIntField, "bigint"),
    (tf.IntField, "bigint"),
    (tf.CharField, "text"),
    (tf.TextField, "text"),
    (tf.DecimalField, "numeric"),
    (tf.DatetimeField, "timestamptz"),
    (tf.DateField, "date"),
    (tf.UUIDField, "uuid"),
)


def _postgres(db: BaseDBAsyncClient) -> bool:
    return db.capabilities.dialect == "postgres"


def _pg_type(field: tf.Field) -> str:
    for cls, name in _PG_TYPES:
        if isinstance(field, cls):
            return name
    raise TypeError(f"no PostgreSQL array type for {type(field).__name__}")


def _pg_value(value: Any) -> Any:
    # Values reach here parsed and validated; asyncpg encodes them natively, except enums.
    return value.value if isinstance(value, Enum) else value


async def insert_rows(
    model: type[Model], rows: Sequence[dict[str, Any]], *, returning: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """Inserts the rows (dicts with the same keys); answers the `returning` fields of each
    inserted row, in no particular order."""
    if not rows:
        return []
    meta = model._meta
    names = list(rows[0])
    fields = [meta.fields_map[name] for name in names]
    columns = ", ".join(f'"{meta.fields_db_projection[name]}"' for name in names)
    back = ", ".join(f'"{meta.fields_db_projection[name]}"' for name in returning)
    db = meta.db  # the transaction's connection inside in_transaction()
    if _postgres(db):
        arrays = ", ".join(f"${i}::{_pg_type(f)}[]" for i, f in enumerate(fields, start=1))
        sql = f'INSERT INTO "{meta.db_table}" ({columns}) SELECT * FROM unnest({arrays})'
        values = [
            [_pg_value(row[name]) for row in rows]
            if isinstance(field, tf.CharEnumFieldInstance)
            else [row[name] for row in rows]
            for name, field in zip(names, fields, strict=True)
        ]
        if not returning:
            await db.execute_query(sql, values)
            return []
        return list(map(dict, await db.execute_query_dict(f"{sql} RETURNING {back}", values)))
    pairs = list(zip(names, fields, strict=True))
    values = [[field.to_db_value(row[name], model) for name, field in pairs] for row in rows]
    one = "(" + ", ".join("?" for _ in names) + ")"
    if not returning:
        await db.execute_many(f'INSERT INTO "{meta.db_table}" ({columns}) VALUES {one}', values)
        return []
    # SQLite: multi-row VALUES with RETURNING, within its limit of bound variables.
    result: list[dict[str, Any]] = []
    step = max(1, 30000 // len(names))
    for start in range(0, len(values), step):
        chunk = values[start : start + step]
        sql = (
            f'INSERT INTO "{meta.db_table}" ({columns}) VALUES '
            + ", ".join(one for _ in chunk)
            + f" RETURNING {back}"
        )
        flat = [value for row in chunk for value in row]
        result.extend(map(dict, await db.execute_query_dict(sql, flat)))
    return result


async def lock_rows(model: type[Model], ids: Collection[int]) -> None:
    """Locks the rows with these ids until the transaction ends. PostgreSQL: `FOR UPDATE` in id
    order, so that two transactions locking overlapping sets wait for each other instead of
    deadlocking. SQLite runs one writing transaction at a time: nothing to lock."""
    db = model._meta.db
    if not ids or not _postgres(db):
        return
    await db.execute_query(
        f'SELECT 1 FROM "{model._meta.db_table}" WHERE "id" = ANY($1::bigint[]) '
        'ORDER BY "id" FOR UPDATE',
        [sorted(ids)],
    )


async def select_models(model: type[M], **conditions: Any) -> list[M]:
    """Rows where each named field equals a value or, given a collection, is one of its values."""
    rows = await select_rows(model, None, **conditions)
    return [model._init_from_db(**row) for row in rows]


async def stored_by_account(
    model: type[M], account_ids: Sequence[int], key: Callable[[M], K]
) -> dict[K, M]:
    """The stored rows of these accounts, by `key`: what an import of the accounts' services or
    meters compares its items with."""
    if not account_ids:
        return {}
    return {key(row): row for row in await select_models(model, account_id=account_ids)}


async def select_rows(
    model: type[Model], fields: Sequence[str] | None, **conditions: Any
) -> list[dict[str, Any]]:
    """As select_models, but only the named fields (all when None), as the driver returns them
    (no model instances): for ids and keys, whose values need no conversion."""
    meta = model._meta
    db = meta.db
    where: list[str] = []
    values: list[Any] = []
    for name, wanted in conditions.items():
        field = meta.fields_map[name]
        column = f'"{meta.fields_db_projection[name]}"'
        if isinstance(wanted, Collection) and not isinstance(wanted, str):
            items = [field.to_db_value(v, model) for v in wanted]
            if not items:
                return []
            if _postgres(db):
                values.append(items)
                where.append(f"{column} = ANY(${len(values)}::{_pg_type(field)}[])")
            else:
                values.extend(items)
                where.append(f"{column} IN ({', '.join('?' for _ in items)})")
        else:
            values.append(field.to_db_value(wanted, model))
            where.append(f"{column} = ${len(values)}" if _postgres(db) else f"{column} = ?")
    names = fields if fields is not None else list(meta.fields_db_projection)
    columns = ", ".join(f'"{meta.fields_db_projection[n]}"' for n in names)
    sql = f'SELECT {columns} FROM "{meta.db_table}" WHERE {" AND ".join(where) or "TRUE"}'
    return list(map(dict, await db.execute_query_dict(sql, values)))
