"""LK_FIXED_NOW: the clock of development and tests stands at a moment, in every request of
that app only; production refuses it."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from pydantic import ValidationError

from settings import Settings
from tests.reminders.conftest import at
from tests.test_settings import PRODUCTION

DUE = """
query { account(number: "66200000000") { meters { readingsDue { period windowOpen } } } }
"""


async def test_each_app_answers_from_its_own_standing_clock(start_app):
    march = await start_app(at(date(2027, 3, 10)), background_tasks=False)
    june = await start_app(at(date(2027, 6, 28)), background_tasks=False)
    in_march = await march.login("Ivan", "Ivan12345")
    in_june = await june.login("Ivan", "Ivan12345")

    first = await march.execute(DUE, token=in_march)
    second = await june.execute(DUE, token=in_june)

    assert first["account"]["meters"][0]["readingsDue"] == {
        "period": "2027-03-01",
        "windowOpen": True,
    }
    # The 28th is after the window (1..25): readings count for July.
    assert second["account"]["meters"][0]["readingsDue"] == {
        "period": "2027-07-01",
        "windowOpen": False,
    }


def test_production_refuses_a_fixed_clock():
    with pytest.raises(ValidationError, match="LK_FIXED_NOW"):
        Settings(_env_file=None, **PRODUCTION, fixed_now=at(date(2027, 3, 1)))


def test_a_fixed_clock_needs_its_offset():
    with pytest.raises(ValidationError, match="LK_FIXED_NOW needs a UTC offset"):
        Settings(_env_file=None, fixed_now=datetime(2027, 3, 1, 10))
