"""Counters of limits (codes a day, sign-in failures, bills by e-mail an hour), reserved before
the work they limit.

A count that is read, compared and only later recorded lets every request sent at once pass
the check together. Here a slot is taken with one conditional statement,
`UPDATE rate_counter SET count = count + 1 WHERE key = ? AND count < limit`: on PostgreSQL the
second of two concurrent updates waits for the first's row lock and re-checks the condition on
the new value; SQLite runs one writer at a time. So of N concurrent reservations at most
`limit` succeed, on both. Inside a transaction the reservation is undone with it.

A window is part of the key (the local day, the hour, the quarter of an hour), so a counter
never needs resetting; expired ones are deleted by the housekeeping task.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.expressions import F

import models
from services import periods


@dataclass(frozen=True, slots=True)
class Window:
    """A counter's key and when it stops mattering."""

    key: str
    expires_at: datetime


def digest(text: str) -> str:
    """A short key part for whatever a client sent (a number, an address): any text counts
    towards its own limit, and the key stays 32 characters long."""
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:32]


def fixed_window(name: str, length: timedelta, *, at: datetime | None = None) -> Window:
    """The window of `length` (counted from the epoch) holding `at`."""
    at = at or datetime.now(UTC)
    seconds = int(length.total_seconds())
    start = int(at.timestamp()) // seconds * seconds
    return Window(
        key=f"{name}@{start}",
        expires_at=datetime.fromtimestamp(start + seconds, UTC),
    )


def local_day(name: str, timezone: str) -> Window:
    """The window of today in the retailer's calendar: until the next local midnight."""
    today = periods.local_today(timezone)
    return Window(
        key=f"{name}@{today.isoformat()}",
        expires_at=periods.local_midnight(today + timedelta(days=1), timezone),
    )


async def reserve(window: Window, *, limit: int) -> bool:
    """Takes one slot if fewer than `limit` are taken; answers whether it did."""
    if limit <= 0:
        return False
    await models.RateCounter.bulk_create(
        [models.RateCounter(key=window.key, count=0, expires_at=window.expires_at)],
        ignore_conflicts=True,
    )
    taken = await models.RateCounter.filter(key=window.key, count__lt=limit).update(
        count=F("count") + 1
    )
    return taken == 1


async def release(window: Window) -> None:
    """Gives back a slot taken by `reserve` for work that turned out not to count."""
    await models.RateCounter.filter(key=window.key, count__gt=0).update(count=F("count") - 1)


async def used(window: Window) -> int:
    row = await models.RateCounter.get_or_none(key=window.key)
    return row.count if row else 0


async def clear(window: Window) -> None:
    await models.RateCounter.filter(key=window.key).delete()


async def purge_expired(*, before: datetime) -> int:
    return await models.RateCounter.filter(expires_at__lt=before).delete()
