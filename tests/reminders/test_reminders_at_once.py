"""The daily pass run at once: by 30 calls over two apps (one takes the day's lease), by 30
passes that skip the lease (the unique rows decide), by a process that finds a dead holder's
lease; and by two real server processes on one database (two workers)."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import date, timedelta
from pathlib import Path

import aiohttp

import models
from infra.database import close_database, open_database
from routes.keys import RUNTIME
from services import clock
from services.messages.sender import send_due
from services.reminders import send as reminders
from tests.conftest import TEST_SECRET
from tests.reminders.conftest import (
    TIMEZONE,
    WINDOW,
    at,
    letters,
    outbox_empty,
    pass_done,
    subscribe,
    until,
)
from tests.served import free_port

ROOT = Path(__file__).resolve().parents[2]
DAY = date(2027, 3, 1)
VERIFICATION = date(2027, 4, 30)


async def two_apps(start_app):
    """Two apps without background tasks (the test runs the pass); Ivan subscribed, his meter
    due for verification within 60 days."""
    first = await start_app(at(DAY), background_tasks=False)
    second = await start_app(at(DAY), background_tasks=False)
    ivan = await first.login("Ivan", "Ivan12345")
    assert (await subscribe(first, ivan))["errors"] == []
    await models.Meter.filter(serial_number="937060").update(next_verification_date=VERIFICATION)
    return first.http.server.app[RUNTIME], second.http.server.app[RUNTIME]


async def deliver(rt) -> None:
    while await send_due(rt):
        pass


async def test_thirty_daily_checks_at_once_run_the_pass_once(start_app, mailbox):
    first, second = await two_apps(start_app)

    with clock.fixed_at(at(DAY)):
        ran = await asyncio.gather(*(reminders.run_daily(rt) for rt in [first, second] * 15))
        again = await reminders.run_daily(second)

    assert ran.count(True) == 1 and again is False
    assert await pass_done(DAY)
    await deliver(first)
    assert sorted(m.subject for m in letters(mailbox)) == [
        "Передайте показания за март 2027 г.",
        "Срок поверки счётчика № 937060: 30.04.2027",
    ]


async def test_thirty_passes_without_the_lease_queue_each_reminder_once(start_app, mailbox):
    first, second = await two_apps(start_app)

    counts = await asyncio.gather(
        *(reminders.send_reminders(rt, at=at(DAY)) for rt in [first, second] * 15)
    )

    assert sum(counts) == 2
    assert await models.Reminder.all().count() == 2
    # A refused reminder took its message with it: no orphan in the outbox.
    assert await models.OutgoingMessage.all().count() == 2
    await deliver(second)
    assert len(letters(mailbox)) == 2


async def test_a_dead_holders_lease_is_taken_over_when_it_expires(start_app):
    first, _ = await two_apps(start_app)
    moment = at(DAY)
    await models.DailyJob.create(
        name=reminders.JOB, holder="dead-host:1:x", lease_until=moment + timedelta(minutes=1)
    )

    with clock.fixed_at(moment):
        held = await reminders.run_daily(first)
    with clock.fixed_at(moment + timedelta(minutes=2)):
        taken = await reminders.run_daily(first)
        done = await reminders.run_daily(first)
    with clock.fixed_at(at(DAY + timedelta(days=1))):
        next_day = await reminders.run_daily(first)

    assert (held, taken, done, next_day) == (False, True, False, True)
    assert await models.Reminder.all().count() == 2


async def test_two_server_processes_send_each_reminder_once(
    start_app, mailbox, database_url, transports
):
    setup = await start_app(at(DAY, 9), background_tasks=False)
    ivan = await setup.login("Ivan", "Ivan12345")
    assert (await subscribe(setup, ivan))["errors"] == []
    await models.Meter.filter(serial_number="937060").update(next_verification_date=VERIFICATION)
    await setup.http.close()

    ports = [free_port(), free_port()]
    env = dict(
        os.environ,
        LK_DATABASE_URL=database_url,
        LK_SCHEMA_MODE="ready",
        LK_DEMO_DATA="false",
        LK_SECRET_KEY=TEST_SECRET,
        LK_ARGON2_PROFILE="fast",
        LK_CAPTCHA="disabled",
        LK_BACKGROUND_TASKS="true",
        LK_OUTBOX_POLL_SECONDS="0.1",
        LK_FIXED_NOW=at(DAY).isoformat(),
        LK_TIMEZONE=TIMEZONE,
        LK_SMTP_URL=transports["smtp_url"],
        LK_LOG_LEVEL="WARNING",
        LK_PUBLIC_URL="http://lk.test",
        **{f"LK_{key.upper()}": str(value) for key, value in WINDOW.items()},
    )
    env.pop("LK_REDIS_URL", None)
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            str(ROOT / "server.py"),
            cwd=ROOT,
            env={**env, "LK_PORT": str(port)},
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        for port in ports
    ]
    await open_database(database_url, schema_mode="ready")
    try:
        async with aiohttp.ClientSession() as http:
            for port in ports:
                await until(lambda port=port: healthy(http, port), f"the server on {port}", 60)
        await until(lambda: pass_done(DAY), "the day's pass", 30)
        await until(outbox_empty, "the outbox to be delivered", 30)
        # Both processes have checked by now (each checks as it starts).
        await asyncio.sleep(1)

        assert await models.Reminder.all().count() == 2
        assert await models.OutgoingMessage.all().count() == 2
        assert len(letters(mailbox)) == 2
    finally:
        await close_database()
        for process in processes:
            process.terminate()
        for process in processes:
            await asyncio.wait_for(process.wait(), 30)


async def healthy(http: aiohttp.ClientSession, port: int) -> bool:
    try:
        async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
            return response.status == 200
    except aiohttp.ClientError:
        return False
