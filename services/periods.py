"""Billing periods: the first day of a month, in the retailer's local calendar."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import overload
from zoneinfo import ZoneInfo

from services import clock
from services.errors import DomainError, ErrorCode, reversed_range

# The dates the API takes. Periods, ranges and documents add months and days to what a client
# sends: Python's dates end at 9999-12-31 (and PostgreSQL's timestamps and the retailer's time
# zone earlier), so a date near either end made an arithmetic error, a 500. Nothing the
# retailer bills lies outside these years.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)
MONTH_NAMES = (
    "январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь".split()
)


def bounded_date(day: date) -> date:
    """`day` when the API takes it; ValueError otherwise."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"Dates from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()} only.")
    return day


def local_today(timezone: str, at: datetime | None = None) -> date:
    return (at or clock.now()).astimezone(ZoneInfo(timezone)).date()


def local_midnight(day: date, timezone: str) -> datetime:
    """The moment `day` begins in the retailer's calendar."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(timezone))


@overload
def local_day_range(first: date, last: date, timezone: str) -> tuple[datetime, datetime]: ...
@overload
def local_day_range(
    first: date | None, last: date | None, timezone: str
) -> tuple[datetime | None, datetime | None]: ...
def local_day_range(
    first: date | None, last: date | None, timezone: str
) -> tuple[datetime | None, datetime | None]:
    """Days of the retailer's calendar, both included, as moments: from the start of `first` to
    the start of the day after `last` (excluded). None for an open end."""
    start = None if first is None else local_midnight(first, timezone)
    end = None if last is None else local_midnight(last + timedelta(days=1), timezone)
    return start, end


def period_of(day: date) -> date:
    return day.replace(day=1)


def current_period(timezone: str, at: datetime | None = None) -> date:
    return period_of(local_today(timezone, at))


def add_months(period: date, months: int) -> date:
    index = period.year * 12 + period.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_and_year(period: date) -> str:
    """«март 2026», as a chart's title reads."""
    return f"{MONTH_NAMES[period.month - 1]} {period.year}"


def month_name(period: date) -> str:
    """The period as the customer reads it in texts and documents: «март 2026 г.»."""
    return f"{month_and_year(period)} г."


def months_between(first: date, last: date) -> int:
    """How many periods from first to last, both included."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def month_range(
    first: date | None, last: date | None, *, months: int, most: int
) -> tuple[date, date]:
    """The periods of the days `first` and `last` (at least one given); a missing end makes the
    range `months` periods long. INVALID_INPUT when the start lies after the end, or when the
    range holds more than `most` periods (Account.statements, Account.consumption)."""
    if first is not None and last is not None:
        start, end = period_of(first), period_of(last)
    elif first is not None:
        start = period_of(first)
        end = add_months(start, months - 1)
    elif last is not None:
        end = period_of(last)
        start = add_months(end, 1 - months)
    else:
        raise ValueError("no end of the range given")
    if start > end:
        raise reversed_range()
    if months_between(start, end) > most:
        raise DomainError.of(
            ErrorCode.INVALID_INPUT, f"За один раз можно получить не более {most} месяцев.", "to"
        )
    return start, end
