"""The clock: the current moment, always timezone-aware, in UTC. Local days and periods are
derived from it in services.periods."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
