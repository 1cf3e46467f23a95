"""The daily pass: every reminder due today, for every subscribed user of every account, queued
in the outbox with its unique row, at most once.

Who gets them: users holding or linked to an account (user_account), subscribed to mailings
(mailing off means none at all), with a reminder channel (EMAIL or SMS, not NONE) whose contact
is confirmed. Once a day from LK_REMINDER_HOUR (LK_TIMEZONE), in the one process that takes the
day's lease (services/daily.py); a pass that dies half-way is run again by another process and
sends only what is still missing.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

import models
from infra.runtime import Runtime
from services import clock, daily, periods
from services.messages import outbox
from services.readings import due as readings_due
from services.readings import loaders
from services.reminders import texts
from services.reminders.due import Due, reminders_due

log = logging.getLogger(__name__)

JOB = "reminders"
# Links (user and account) per batch; the lease is renewed after each.
BATCH_SIZE = 500
# How often each process checks whether today's pass is due (and not done by another).
CHECK_SECONDS = 300.0

Key = tuple[models.ReminderKind, int, int, date]


@dataclass(frozen=True, slots=True)
class Recipient:
    user: models.User
    account: models.Account
    channel: models.MessageChannel
    to: str


def recipient(link: models.UserAccount) -> Recipient | None:
    """Where this user's reminders about this account go, or None (mailing off, no channel, or
    the channel's contact not confirmed)."""
    user = link.user
    if not user.subscribed_to_mailing:
        return None
    if user.reminder_channel == models.ReminderChannel.EMAIL:
        if user.email and user.email_confirmed:
            return Recipient(user, link.account, models.MessageChannel.EMAIL, user.email)
    elif user.reminder_channel == models.ReminderChannel.SMS:
        if user.phone and user.phone_confirmed:
            return Recipient(user, link.account, models.MessageChannel.SMS, user.phone)
    return None


async def run_daily(rt: Runtime) -> bool:
    """What the background task calls every CHECK_SECONDS: today's pass, if the hour has come
    and no process has done (or is doing) it. Answers whether this process ran it."""
    if not rt.settings.reminders:
        return False

    async def job(lease: daily.Lease) -> None:
        count = await send_reminders(rt, lease=lease)
        log.info("reminders: %s queued for %s", count, lease.day)

    return await daily.run_once_today(
        JOB, job, timezone=rt.settings.timezone, hour=rt.settings.reminder_hour
    )


async def send_reminders(
    rt: Runtime, *, lease: daily.Lease | None = None, at: datetime | None = None
) -> int:
    """Queues every reminder due at `at` (the clock's now) that was not queued before; answers
    how many. Safe to run any number of times, at once too: the unique rows decide."""
    now = at or clock.now()
    today = periods.local_today(rt.settings.timezone, now)
    window = readings_due.current_window(rt.settings, now)
    queued, after = 0, 0
    while True:
        links = (
            await models.UserAccount.filter(id__gt=after, user__subscribed_to_mailing=True)
            .exclude(user__reminder_channel=models.ReminderChannel.NONE)
            .select_related("user", "account")
            .order_by("id")
            .limit(BATCH_SIZE)
        )
        if not links:
            return queued
        after = links[-1].id
        queued += await _batch(rt, links, today=today, window=window)
        if lease is not None and not await lease.renew():
            log.warning("reminders: the lease was lost; another process goes on")
            return queued


async def _batch(
    rt: Runtime, links: list[models.UserAccount], *, today: date, window: readings_due.Window
) -> int:
    recipients = [r for r in map(recipient, links) if r is not None]
    account_ids = list(dict.fromkeys(r.account.id for r in recipients))
    if not account_ids:
        return 0
    groups = await loaders.meters_by_account(account_ids)
    by_account = dict(zip(account_ids, groups, strict=True))
    meters = [m for group in groups for m in group]
    newest = await readings_due.newest_by_meter([(m.id, window.period) for m in meters])
    dues: dict[int, list[Due]] = {}
    for meter, readings in zip(meters, newest, strict=True):
        status, _ = readings_due.status_of(readings)
        found = reminders_due(
            rt.settings,
            today=today,
            window=window,
            status=status,
            verification=meter.next_verification_date,
        )
        if found:
            dues[meter.id] = found
    if not dues:
        return 0
    sent = await _already_sent(recipients, dues)
    opening = [
        m
        for m in meters
        if any(d.kind == models.ReminderKind.WINDOW_OPENS for d in dues.get(m.id, []))
    ]
    last = await _last_readings(opening, window.period, timezone=rt.settings.timezone)
    queued = 0
    for person in recipients:
        for meter in by_account[person.account.id]:
            for item in dues.get(meter.id, []):
                if (item.kind, person.user.id, meter.id, item.due_on) in sent:
                    continue
                message = texts.text(
                    rt.settings,
                    kind=item.kind,
                    due_on=item.due_on,
                    days_left=item.days_left,
                    closes_on=window.closes_on,
                    account=person.account.number,
                    serial=meter.serial_number,
                    last=last.get(meter.id, []),
                )
                queued += await queue(rt, person, meter, item, message)
    return queued


async def queue(
    rt: Runtime, person: Recipient, meter: models.Meter, item: Due, message: texts.Text
) -> bool:
    """The message and its reminder row in one transaction: when another pass queued the same
    reminder first, the row's unique key refuses this one and the message goes with it."""
    try:
        async with in_transaction():
            if person.channel == models.MessageChannel.EMAIL:
                queued = await outbox.enqueue_email(
                    rt=rt, to=person.to, subject=message.subject, body=message.body
                )
            else:
                queued = await outbox.enqueue_sms(to=person.to, body=message.sms)
            await models.Reminder.create(
                kind=item.kind,
                user_id=person.user.id,
                meter_id=meter.id,
                due_on=item.due_on,
                channel=person.channel,
                message_id=queued.id,
            )
    except IntegrityError:
        return False
    return True


async def _already_sent(recipients: list[Recipient], dues: dict[int, list[Due]]) -> set[Key]:
    """The keys among these that have a row already (most, on most days): skipped without
    building a message that the unique key would refuse anyway."""
    rows = await models.Reminder.filter(
        user_id__in=list({r.user.id for r in recipients}),
        meter_id__in=list(dues),
        due_on__in=list({d.due_on for items in dues.values() for d in items}),
    ).values_list("kind", "user_id", "meter_id", "due_on")
    return {(models.ReminderKind(k), u, m, d) for k, u, m, d in rows}


async def _last_readings(
    meters: list[models.Meter], period: date, *, timezone: str
) -> dict[int, list[texts.LastReading]]:
    """Per meter: each register's reading the period starts from, in register order."""
    if not meters:
        return {}
    registers = await loaders.registers_by_meter([m.id for m in meters])
    flat = [r for group in registers for r in group]
    starts = await loaders.period_start_by_register([(r.id, period) for r in flat])
    found: dict[int, list[texts.LastReading]] = defaultdict(list)
    for register, reading in zip(flat, starts, strict=True):
        if reading is not None:
            found[register.meter_id].append(
                texts.LastReading(
                    register.description,
                    reading.value,
                    reading.taken_at.astimezone(ZoneInfo(timezone)).date(),
                )
            )
    return found
