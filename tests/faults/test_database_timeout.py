"""LK_DATABASE_TIMEOUT: a statement the database does not answer in time fails instead of
hanging the request (bench/fault_database.py --freeze shows it with a frozen cluster)."""

from __future__ import annotations

import asyncio
import time

import pytest
from tortoise import connections

from server import create_app


async def test_statement_slower_than_the_database_timeout_fails(
    clean_database, make_settings, aiohttp_client, database_url
):
    if not database_url.startswith("postgres"):
        pytest.skip("the timeout applies to PostgreSQL (asyncpg)")
    await aiohttp_client(create_app(make_settings(database_timeout=0.5)))
    db = connections.get("default")

    started = time.monotonic()
    with pytest.raises((TimeoutError, asyncio.TimeoutError)):
        await db.execute_query("SELECT pg_sleep(5)")

    assert time.monotonic() - started < 2.5
    assert (await db.execute_query_dict("SELECT 1 AS one")) == [{"one": 1}]
