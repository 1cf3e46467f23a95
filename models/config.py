"""Tortoise configuration, shared by the server, the command line and `tortoise` itself."""

from __future__ import annotations

import os
from typing import Any

MODEL_MODULES = [
    "models.accounts",
    "models.identity",
    "models.readings",
    "models.payments",
    "models.messages",
    "models.integration",
    "models.ebill",
    "models.questions",
    "models.reminders",
    # The sandbox acquirer's emulator (its table exists whatever the provider).
    "sandbox_bank.models",
]


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": database_url},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "models.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def __getattr__(name: str) -> dict[str, Any]:
    # Computed on first use, so importing this module reads no settings.
    if name == "TORTOISE_ORM":
        from settings import Settings

        return tortoise_config(os.environ.get("LK_DATABASE_URL") or Settings().database_url)
    raise AttributeError(name)
