"""Jobs that run once a day in one process of all (several workers, several hosts).

A job's row in `daily_job` is its lease: a process takes it with one conditional UPDATE
("nobody ran it today and nobody holds it") that only one of any number of processes sent at
once can win, on SQLite and PostgreSQL alike (no advisory lock: pooled PostgreSQL connections
are not reset, see infra/database.PooledConnection). The winner renews the lease while it
works and marks the day done at the end; a process that dies mid-run leaves a lease that
expires, and another process runs the job again later that day (so a job must be idempotent:
the reminders are, by their unique rows).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise.expressions import Q

import models
from services import clock

log = logging.getLogger(__name__)

# How long a taken lease lasts without renewal.
LEASE = timedelta(minutes=10)


class Lease:
    """The holder's side of a taken lease."""

    def __init__(self, name: str, holder: str, day: date) -> None:
        self.name, self.holder, self.day = name, holder, day

    async def renew(self) -> bool:
        """Extends the lease; False when it was lost (expired and taken by another process)."""
        return bool(
            await models.DailyJob.filter(name=self.name, holder=self.holder).update(
                lease_until=clock.now() + LEASE
            )
        )

    async def done(self) -> None:
        await models.DailyJob.filter(name=self.name, holder=self.holder).update(
            last_day=self.day, holder=None, lease_until=None, finished_at=clock.now()
        )

    async def give_up(self) -> None:
        """Lets another process (or this one's next check) run the day again at once."""
        await models.DailyJob.filter(name=self.name, holder=self.holder).update(
            holder=None, lease_until=None
        )


async def take(name: str, *, timezone: str, hour: int, at: datetime | None = None) -> Lease | None:
    """The lease of today's run of `name`, when the local hour has come, nobody completed
    today's run and nobody holds a live lease; None otherwise."""
    now = at or clock.now()
    local = now.astimezone(ZoneInfo(timezone))
    if local.hour < hour:
        return None
    today = local.date()
    await models.DailyJob.bulk_create([models.DailyJob(name=name)], ignore_conflicts=True)
    holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
    taken = await models.DailyJob.filter(
        Q(name=name),
        Q(last_day__isnull=True) | Q(last_day__lt=today),
        Q(lease_until__isnull=True) | Q(lease_until__lt=now),
    ).update(holder=holder, lease_until=now + LEASE, started_at=now)
    return Lease(name, holder, today) if taken else None


async def run_once_today(
    name: str, job: Callable[[Lease], Awaitable[object]], *, timezone: str, hour: int
) -> bool:
    """Runs `job` if this process takes today's lease of `name`; answers whether it ran."""
    lease = await take(name, timezone=timezone, hour=hour)
    if lease is None:
        return False
    try:
        await job(lease)
    except Exception:
        # Tried again at the next check (a cancelled run's lease simply expires).
        await lease.give_up()
        raise
    await lease.done()
    return True
