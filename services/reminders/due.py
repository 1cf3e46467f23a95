"""What is due for one meter on one day: the same figures as Meter.readingsDue and
Meter.verificationDue (services/readings/due.py), judged against the reminders' settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import models
from services.readings.due import DueStatus, Window
from settings import Settings

Kind = models.ReminderKind


@dataclass(frozen=True, slots=True)
class Due:
    kind: models.ReminderKind
    # The period of the readings, or the verification date: with kind, user and meter, the
    # reminder's unique key.
    due_on: date
    # Days until the window's last day, or until the verification date.
    days_left: int


def reminders_due(
    settings: Settings,
    *,
    today: date,
    window: Window,
    status: DueStatus,
    verification: date | None,
) -> list[Due]:
    """The reminders a meter calls for today (at most one of the window, one of verification).

    - The window: only while it is open and no reading of some register came for its period
      (status NOT_SENT). From LK_REMINDER_WINDOW_CLOSING_DAYS before its last day, the
      "closes" reminder; before that, the "opens" one (a pass missed on the opening day is
      made up for later in the window).
    - Verification: within LK_REMINDER_VERIFICATION_URGENT_DAYS, the urgent one; else within
      LK_REMINDER_VERIFICATION_SOON_DAYS, the early one; none once the date has passed.
    """
    found: list[Due] = []
    if window.open and status == DueStatus.NOT_SENT:
        left = (window.closes_on - today).days
        closing = settings.reminder_window_closing_days
        if closing and left <= closing:
            found.append(Due(Kind.WINDOW_CLOSES, window.period, left))
        elif settings.reminder_window_opens:
            found.append(Due(Kind.WINDOW_OPENS, window.period, left))
    if verification is not None:
        left = (verification - today).days
        urgent = settings.reminder_verification_urgent_days
        soon = settings.reminder_verification_soon_days
        if urgent and 0 <= left <= urgent:
            found.append(Due(Kind.VERIFICATION_URGENT, verification, left))
        elif soon and 0 <= left <= soon:
            found.append(Due(Kind.VERIFICATION_SOON, verification, left))
    return found
