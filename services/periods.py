"""Billing periods: the first day of a month, in the retailer's local calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


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
