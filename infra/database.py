"""Connecting Tortoise, applying migrations, and closing connections."""

from __future__ import annotations

import functools
import logging
import re
import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import asyncpg
import tortoise.backends.sqlite.executor  # noqa: F401  (registers the adapters ours replaces)
from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.migrations.api import migrate
from tortoise.models import Model

from models.config import tortoise_config

log = logging.getLogger(__name__)
M = TypeVar("M", bound=Model)


def _utc_text(moment: datetime) -> str:
    return (moment.astimezone(UTC) if moment.tzinfo is not None else moment).isoformat(" ")


# SQLite keeps times as text, which it compares as text. Tortoise writes an aware time in the
# offset it was given (`isoformat`), so a bound in the retailer's zone (+05:00) was compared, as
# text, with times stored in UTC, and a payment made at 01:00 local on the 1st fell outside that
# day (tests/payments/test_history.py). Every time goes to SQLite in UTC; PostgreSQL compares
# moments and needs nothing. Registered after Tortoise's own adapter, so this one is used.
sqlite3.register_adapter(datetime, _utc_text)


async def open_database(
    database_url: str, *, schema_mode: str = "migrate", timeout: float | None = None
) -> None:
    """timeout (PostgreSQL): seconds a statement, or opening a connection, may take before it
    fails. asyncpg then cancels the statement within as long again (or drops the connection),
    so a database that stops answering fails requests within about three times the timeout (a
    request may also wait for a new connection) instead of hanging them until it answers again
    (bench/fault_database.py --freeze). Migrations and cli.py are not limited."""
    if database_url.startswith("sqlite://"):
        path = database_url.removeprefix("sqlite://")
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    config = tortoise_config(database_url)
    if config["connections"]["default"].startswith("postgres"):
        connection = expand_db_url(config["connections"]["default"])
        connection["credentials"]["connection_class"] = PooledConnection
        config["connections"]["default"] = connection
    if schema_mode == "migrate":
        await migrate(config=config)
    if timeout is not None and isinstance(config["connections"]["default"], dict):
        # asyncpg's create_pool: command_timeout per statement, timeout per connection attempt.
        credentials = config["connections"]["default"]["credentials"]
        credentials.update(command_timeout=timeout, timeout=timeout)
    # Background tasks (outbox sender, broker listener, reconciliation) run outside the task
    # that initialised Tortoise: the global fallback lets them reach the same connections.
    await Tortoise.init(config=config, _enable_global_fallback=True)
    if schema_mode == "generate":
        await Tortoise.generate_schemas(safe=True)


class PooledConnection(asyncpg.Connection):
    """A pooled PostgreSQL connection returned to the pool without a reset query.

    Tortoise takes a pool connection for every statement, and asyncpg's default reset on release
    (`SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`) doubled the round
    trips of every query. Open transactions are still rolled back on release (asyncpg does
    that whatever the reset query). The price: session state is not cleared, so code on ORM
    connections must not use session-level SET, LISTEN or pg_advisory_lock (transaction-level
    SET LOCAL and pg_advisory_xact_lock are fine).
    """

    def get_reset_query(self) -> str:
        return ""


async def close_database() -> None:
    await Tortoise.close_connections()


async def fetch(model: type[Model], sql: str, *values: object) -> list[dict]:
    """Rows of a hand-written statement, on the connection (or transaction) of `model`.

    For the few hot paths where building the statement through the ORM costs more than running
    it. Write PostgreSQL placeholders ($1, $2, ... each used once, in order); SQLite gets `?`.
    Turn rows into models with `Model._init_from_db(**row)`, which converts values as the ORM
    does; pass values converted by the fields' `to_db_value` where the types differ by database.
    """
    db = model._meta.db
    return await db.execute_query_dict(_for_dialect(sql, db.capabilities.dialect), list(values))


async def fetch_grouped(
    model: type[M], column: str, keys: Sequence[int], *, order_by: str
) -> list[list[M]]:
    """A DataLoader's batch of children: the rows of `model` whose `column` is one of `keys`,
    in `order_by` order, as models grouped per key in the order of `keys`."""
    marks = placeholders(len(keys))
    sql = f"SELECT * FROM {model._meta.db_table} WHERE {column} IN ({marks}) ORDER BY {order_by}"
    grouped: dict[int, list[M]] = defaultdict(list)
    for row in await fetch(model, sql, *keys):
        grouped[row[column]].append(model._init_from_db(**row))
    return [grouped.get(k, []) for k in keys]


@functools.cache
def placeholders(count: int, first: int = 1) -> str:
    """`$first, ..., $(first + count - 1)`: the marks of an IN list or a VALUES row, for `fetch`."""
    return ", ".join(f"${first + i}" for i in range(count))


@functools.cache
def _for_dialect(sql: str, dialect: str) -> str:
    return sql if dialect == "postgres" else re.sub(r"\$\d+", "?", sql)


def is_postgres() -> bool:
    """Whether the models' connection is PostgreSQL (SQLite otherwise)."""
    return _client().capabilities.dialect == "postgres"


async def fetch_value(sql: str, values: list[object]) -> object:
    """The first column of the first row of a PostgreSQL statement, in one asyncpg call on a
    connection of the models' pool: for a statement that answers a whole document at once
    (schema/sql_reads.py), without Tortoise's per-statement wrappers."""
    client = _client()
    async with client.acquire_connection() as connection:
        client.log.debug("%s: %s", sql, values)  # as Tortoise logs its statements
        return await connection.fetchval(sql, *values)


def _client() -> BaseDBAsyncClient:
    return Tortoise.get_connection("default")
