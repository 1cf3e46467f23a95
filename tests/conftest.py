"""Test fixtures: the real app (create_app) on a real database, isolated per test.

The database is SQLite unless LK_TEST_DATABASE_URL names a PostgreSQL server
(postgres://user@host:port): then a fresh database is created for the run and dropped after it.
LK_TEST_REDIS_URL switches the event broker to Redis, with a key prefix of each test's own.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from tortoise.contrib.test import truncate_all_models

from infra.database import close_database, open_database
from server import create_app
from settings import Settings
from tests.graphql import GraphQLClient

TEST_SECRET = "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
POSTGRES = os.environ.get("LK_TEST_DATABASE_URL", "")
REDIS = os.environ.get("LK_TEST_REDIS_URL", "")


def _postgres_admin(url: str) -> tuple[str, str]:
    base = url.rstrip("/")
    if base.count("/") > 2:  # a database is named: use the server only
        base = base.rsplit("/", 1)[0]
    return base, base.replace("postgres://", "postgresql://", 1) + "/postgres"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not POSTGRES:
        path = tmp_path_factory.mktemp("db") / "lk.sqlite3"
        yield f"sqlite://{path}"
        return
    import asyncpg

    base, admin = _postgres_admin(POSTGRES)
    name = f"lk_test_{uuid.uuid4().hex[:10]}"

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{base}/{name}"
    finally:
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def make_settings(database_url: str) -> Callable[..., Settings]:
    """Settings of a test app; keyword arguments override fields."""

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "env": "development",
            "database_url": database_url,
            "redis_url": REDIS,
            "redis_prefix": f"lktest:{uuid.uuid4().hex[:12]}",
            "secret_key": TEST_SECRET,
            "public_url": "http://lk.test",
            "demo_data": True,
            "captcha": "disabled",
            "argon2_profile": "fast",
            "background_tasks": False,
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)

    return make


@pytest.fixture
async def clean_database(database_url: str) -> None:
    """Every test starts from empty tables (the app then loads the demo data)."""
    await open_database(database_url, schema_mode="migrate")
    await truncate_all_models()
    await close_database()


@pytest.fixture
async def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


@pytest.fixture
async def app(clean_database: None, settings: Settings):
    return create_app(settings)


@pytest.fixture
async def client(app, aiohttp_client) -> GraphQLClient:
    return GraphQLClient(await aiohttp_client(app))


@pytest.fixture
async def ivan(client: GraphQLClient) -> str:
    """An access token of the demo user Ivan."""
    return await client.login("Ivan", "Ivan12345")


@pytest.fixture
async def petr(client: GraphQLClient) -> str:
    return await client.login("Petr", "Petr12345")


class QueryCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        self.statements.append(record.getMessage())


@pytest.fixture
def sql_queries() -> Iterator[QueryCounter]:
    """Counts SQL statements the ORM sends (Tortoise logs each one on tortoise.db_client)."""
    logger = logging.getLogger("tortoise.db_client")
    counter = QueryCounter()
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.setLevel(previous)
