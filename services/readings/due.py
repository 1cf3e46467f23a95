"""What is due for a meter: the readings of the period they are accepted for now (and whether
they were sent, accepted or rejected), and the next metrological verification. The cabinet shows
it; the reminders will use the same figures."""

from __future__ import annotations

import calendar
import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

import models
from infra import database
from services import periods
from services.readings import window
from settings import Settings

_PERIOD = models.Reading._meta.fields_map["period"]

# The verification reminders' thresholds, in days.
VERIFICATION_SOON_DAYS = 60
VERIFICATION_URGENT_DAYS = 14


class DueStatus(str, Enum):
    """Readings of a meter for a period, all registers together."""

    NOT_SENT = "NOT_SENT"
    SENT = "SENT"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"


@dataclass(frozen=True, slots=True)
class Window:
    """The period readings entered today count for and the submission window around it."""

    period: date
    open: bool
    opens_on: date
    closes_on: date


@dataclass(frozen=True, slots=True)
class ReadingsDue:
    """A meter's readings for the window's period: their status, and billing's reason when it
    rejected one."""

    window: Window
    status: DueStatus
    rejection_reason: str | None


@dataclass(frozen=True, slots=True)
class VerificationDue:
    date: date
    days_left: int
    within_60_days: bool
    within_14_days: bool
    overdue: bool


def _day_of(period: date, day: int) -> date:
    return period.replace(day=min(day, calendar.monthrange(period.year, period.month)[1]))


def current_window(settings: Settings, at: datetime | None = None) -> Window:
    """Today's window when it is open; otherwise the next one (local calendar, the window's days
    cut to the month's length)."""
    today = periods.local_today(settings.timezone, at)
    start, end = settings.readings_window_start_day, settings.readings_window_end_day
    this_month = periods.period_of(today)
    opens, closes = _day_of(this_month, start), _day_of(this_month, end)
    is_open = opens <= today <= closes
    if not is_open and today > closes:
        next_month = periods.add_months(this_month, 1)
        opens, closes = _day_of(next_month, start), _day_of(next_month, end)
    return Window(
        period=window.entry_period(settings, at), open=is_open, opens_on=opens, closes_on=closes
    )


def status_of(newest: Sequence[models.Reading | None]) -> tuple[DueStatus, str | None]:
    """One status for a meter from the newest reading of the period of each register: REJECTED
    (with billing's reason) when any is rejected, NOT_SENT when any register has none (or the
    meter has no registers), SENT while any waits for billing, ACCEPTED when all are accepted."""
    rejected = [r for r in newest if r is not None and r.status == models.ReadingStatus.REJECTED]
    if rejected:
        return DueStatus.REJECTED, next(
            (r.rejection_reason for r in rejected if r.rejection_reason), None
        )
    if not newest or any(r is None for r in newest):
        return DueStatus.NOT_SENT, None
    if any(r is not None and r.status == models.ReadingStatus.PENDING for r in newest):
        return DueStatus.SENT, None
    return DueStatus.ACCEPTED, None


def readings_due(win: Window, newest: Sequence[models.Reading | None]) -> ReadingsDue:
    status, reason = status_of(newest)
    return ReadingsDue(window=win, status=status, rejection_reason=reason)


def verification_due(
    settings: Settings, next_date: date | None, at: datetime | None = None
) -> VerificationDue | None:
    """How far the next verification is; None when the date is not known."""
    if next_date is None:
        return None
    days_left = (next_date - periods.local_today(settings.timezone, at)).days
    return VerificationDue(
        date=next_date,
        days_left=days_left,
        within_60_days=days_left <= VERIFICATION_SOON_DAYS,
        within_14_days=days_left <= VERIFICATION_URGENT_DAYS,
        overdue=days_left < 0,
    )


async def newest_by_meter(
    keys: Sequence[tuple[int, date]],
) -> list[list[models.Reading | None]]:
    """For (meter id, period) keys: per register of the meter (in position order), its newest
    reading of the period, or None. One statement for the whole batch."""
    if not keys:
        return []
    meter_ids = list(dict.fromkeys(k[0] for k in keys))
    wanted = list(dict.fromkeys(k[1] for k in keys))
    rows = await database.fetch(
        models.Reading,
        _newest_sql(len(meter_ids), len(wanted)),
        *(_PERIOD.to_db_value(p, models.Reading) for p in wanted),
        *meter_ids,
    )
    registers: dict[int, list[int]] = defaultdict(list)
    newest: dict[tuple[int, date], models.Reading] = {}
    for row in rows:
        meter_id, register_id = row.pop("due_meter_id"), row.pop("due_register_id")
        if register_id not in registers[meter_id]:
            registers[meter_id].append(register_id)
        if row["id"] is None:
            continue
        reading = models.Reading._init_from_db(**row)
        newest.setdefault((register_id, reading.period), reading)
    return [[newest.get((r, period)) for r in registers.get(meter, [])] for meter, period in keys]


@functools.cache
def _newest_sql(meters: int, periods_: int) -> str:
    """Registers of `meters` meters with their readings of `periods_` periods, newest first."""
    period_marks = database.placeholders(periods_)
    meter_marks = database.placeholders(meters, periods_ + 1)
    return (
        "SELECT g.meter_id AS due_meter_id, g.id AS due_register_id, r.* FROM meter_register g "
        f"LEFT JOIN reading r ON r.register_id = g.id AND r.period IN ({period_marks}) "
        f"WHERE g.meter_id IN ({meter_marks}) "
        "ORDER BY g.meter_id, g.position, g.id, r.taken_at DESC, r.id DESC"
    )
