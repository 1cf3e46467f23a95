"""The submission window: on which days of the month readings count for the current period, and
what the customer is told when they count for the next one."""

from __future__ import annotations

from datetime import date, datetime

from services import periods
from settings import Settings


def entry_period(settings: Settings, at: datetime | None = None) -> date:
    """The period a reading entered now counts for: the current one on the days of the window
    (readings_window_start_day..readings_window_end_day, local calendar), the next one outside it.
    """
    today = periods.local_today(settings.timezone, at)
    current = periods.period_of(today)
    if settings.readings_window_start_day <= today.day <= settings.readings_window_end_day:
        return current
    return periods.add_months(current, 1)


def window_notice(settings: Settings, period: date, at: datetime | None = None) -> str | None:
    """What to tell the customer when readings entered now count for the next period."""
    current = periods.current_period(settings.timezone, at)
    if period == current:
        return None
    start, end = settings.readings_window_start_day, settings.readings_window_end_day
    return (
        f"Показания за {periods.month_name(current)} принимаются с {start} по {end} число. "
        f"Переданные сейчас показания будут учтены в расчёте за {periods.month_name(period)}."
    )
