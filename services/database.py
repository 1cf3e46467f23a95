"""Connecting Tortoise, applying migrations, and closing connections."""

from __future__ import annotations

import logging
from pathlib import Path

from tortoise import Tortoise
from tortoise.migrations.api import migrate

from models.config import tortoise_config

log = logging.getLogger(__name__)


async def open_database(database_url: str, *, schema_mode: str = "migrate") -> None:
    if database_url.startswith("sqlite://"):
        path = database_url.removeprefix("sqlite://")
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    config = tortoise_config(database_url)
    if schema_mode == "migrate":
        await migrate(config=config)
    # Background tasks (outbox sender, broker listener, reconciliation) run outside the task
    # that initialised Tortoise: the global fallback lets them reach the same connections.
    await Tortoise.init(config=config, _enable_global_fallback=True)
    if schema_mode == "generate":
        await Tortoise.generate_schemas(safe=True)


async def close_database() -> None:
    await Tortoise.close_connections()
