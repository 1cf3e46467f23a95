"""Fixtures of the reminders' tests: apps whose clock stands at a given moment (LK_FIXED_NOW),
on one database, with their background tasks on and the outbox delivering to a local SMTP
server (aiosmtpd) and a local SMS gateway over real sockets."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import models
from server import create_app
from tests.graphql import GraphQLClient

# The SMS gateway stand-in of the outbox tests (an aiohttp server answering POST /send).
from tests.identity.test_outbox_delivery import gateway  # noqa: F401
from tests.mail import Mailbox, mailbox  # noqa: F401

TIMEZONE = "Asia/Yekaterinburg"
IVAN_EMAIL = "ivanov@ivan.ru"
IVAN_PHONE = "+79999999999"
# Readings count for the current period on days 1..25; the "closes" reminder from 3 days
# before the 25th; the daily pass from 10:00.
WINDOW = {
    "readings_window_start_day": 1,
    "readings_window_end_day": 25,
    "reminder_window_closing_days": 3,
    "reminder_hour": 10,
}

SETTINGS = """
mutation Settings($mailing: Boolean, $channel: ReminderChannel) {
  updateSettings(subscribedToMailing: $mailing, reminderChannel: $channel) {
    user { subscribedToMailing reminderChannel }
    errors { field code message }
  }
}
"""


def at(day: date, hour: int = 10, minute: int = 30) -> datetime:
    """A local moment of the retailer's calendar."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(TIMEZONE))


@dataclass
class Letter:
    to: list[str]
    subject: str
    body: str


def letters(box: Mailbox) -> list[Letter]:
    return [
        Letter(recipients, str(message["Subject"]), message.get_content())
        for recipients, message in box.received
    ]


@pytest.fixture
def transports(mailbox, gateway) -> dict[str, Any]:  # noqa: F811 (the fixtures above)
    return {
        "smtp_url": mailbox.smtp_url,
        "sms_url": str(gateway.server.make_url("/send")),
    }


@pytest.fixture
def start_app(
    clean_database, make_settings, aiohttp_client, transports
) -> Callable[..., Awaitable[GraphQLClient]]:
    """An app whose clock stands at `now`, with its background tasks (the outbox sender and
    the reminders) running, delivering to the local transports."""

    async def start(now: datetime, **overrides: Any) -> GraphQLClient:
        values = {
            "timezone": TIMEZONE,
            "fixed_now": now,
            "background_tasks": True,
            "outbox_poll_seconds": 0.05,
            **WINDOW,
            **transports,
            **overrides,
        }
        return GraphQLClient(await aiohttp_client(create_app(make_settings(**values))))

    return start


async def until(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 15) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def pass_done(day: date) -> bool:
    job = await models.DailyJob.get_or_none(name="reminders")
    return job is not None and job.last_day == day


async def outbox_empty() -> bool:
    return not await models.OutgoingMessage.filter(status=models.MessageStatus.PENDING).exists()


async def run_day(start_app, now: datetime, *, workers: int = 2, **overrides: Any) -> None:
    """`workers` apps on the database with the clock at `now`: waits until today's pass is done
    and the outbox delivered, then stops them."""
    apps = [await start_app(now, **overrides) for _ in range(workers)]
    today = now.astimezone(ZoneInfo(TIMEZONE)).date()
    await until(lambda: pass_done(today), f"the reminders of {today}")
    await until(outbox_empty, "the outbox to be delivered")
    for app in apps:
        await app.http.close()


async def subscribe(client: GraphQLClient, token: str, channel: str | None = None) -> dict:
    data = await client.execute(SETTINGS, {"mailing": True, "channel": channel}, token=token)
    return data["updateSettings"]
