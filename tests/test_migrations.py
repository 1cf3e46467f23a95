"""The committed migrations build exactly the tables the models describe."""

from __future__ import annotations

from tortoise import Tortoise
from tortoise.migrations.autodetector import MigrationAutodetector

from infra.database import close_database, open_database
from models.config import tortoise_config


async def test_models_have_no_changes_missing_from_the_migrations(database_url):
    await open_database(database_url, schema_mode="migrate")
    try:
        config = tortoise_config(database_url)
        detector = MigrationAutodetector(Tortoise.apps, config["apps"])
        writers = await detector.changes()
        assert writers == [], "models changed: regenerate models/migrations (see README)"
    finally:
        await close_database()
