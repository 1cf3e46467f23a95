"""Billing periods: the first day of a month, in the retailer's local calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

# The dates the API takes. Periods, ranges and documents add months and days to what a client
# sends: Python's dates end at 9999-12-31 (and PostgreSQL's timestamps and the retailer's time
# zone earlier), so a date near either end made an arithmetic error, a 500. Nothing the
# retailer bills lies outside these years.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)


def bounded_date(day: date) -> date:
    """`day` when the API takes it; ValueError otherwise."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"Dates from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()} only.")
    return day


def local_today(timezone: str, at: datetime | None = None) -> date:
    return (at or datetime.now(UTC)).astimezone(ZoneInfo(timezone)).date()


def period_of(day: date) -> date:
    return day.replace(day=1)


def current_period(timezone: str, at: datetime | None = None) -> date:
    return period_of(local_today(timezone, at))


def add_months(period: date, months: int) -> date:
    index = period.year * 12 + period.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> int:
    """How many periods from first to last, both included."""
    return (last.year - first.year) * 12 + last.month - first.month + 1
