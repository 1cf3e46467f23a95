"""The submission window: inside it readings count for the current period; outside it for the
next one, and the answer says so."""

from __future__ import annotations

import pytest

import models
from server import create_app
from services import periods
from tests.graphql import GraphQLClient
from tests.readings.documents import IVAN_ACCOUNT, METERS, PREVIEW, SUBMIT, day_night, meter_id

TIMEZONE = "Asia/Yekaterinburg"


def window_excluding_today() -> dict[str, int]:
    today = periods.local_today(TIMEZONE)
    if today.day > 1:
        return {"readings_window_start_day": 1, "readings_window_end_day": today.day - 1}
    return {"readings_window_start_day": 2, "readings_window_end_day": 31}


@pytest.fixture
async def closed_client(clean_database, make_settings, aiohttp_client) -> GraphQLClient:
    """The app with a submission window that does not include today."""
    settings = make_settings(timezone=TIMEZONE, **window_excluding_today())
    return GraphQLClient(await aiohttp_client(create_app(settings)))


async def test_submit_readings_inside_the_window_counts_for_this_period(client, ivan):
    meter = await meter_id(client, ivan)

    data = await client.execute(
        SUBMIT, {"number": IVAN_ACCOUNT, "readings": day_night(meter, 4939, 5018)}, token=ivan
    )

    payload = data["submitReadings"]
    current = periods.current_period(TIMEZONE)
    assert payload["period"] == current.isoformat()
    assert payload["notice"] is None
    assert {r["period"] for r in payload["readings"]} == {current.isoformat()}


async def test_submit_readings_outside_the_window_counts_for_the_next_period(closed_client):
    client = closed_client
    ivan = await client.login("Ivan", "Ivan12345")
    meter = await meter_id(client, ivan)
    next_period = periods.add_months(periods.current_period(TIMEZONE), 1)

    data = await client.execute(
        SUBMIT, {"number": IVAN_ACCOUNT, "readings": day_night(meter, 4939, 5018)}, token=ivan
    )

    payload = data["submitReadings"]
    assert payload["errors"] == []
    assert payload["period"] == next_period.isoformat()
    assert "будут учтены в расчёте за" in payload["notice"]
    rows = await models.Reading.filter(source=models.ReadingSource.CABINET, status="PENDING")
    assert {r.period for r in rows} == {next_period}
    assert {r.customer_slot for r in rows} == {f"{r.register_id}:{next_period}" for r in rows}


async def test_meters_and_preview_follow_the_window(closed_client):
    client = closed_client
    ivan = await client.login("Ivan", "Ivan12345")
    meter = await meter_id(client, ivan)
    await client.execute(
        SUBMIT, {"number": IVAN_ACCOUNT, "readings": day_night(meter, 4939, 5018)}, token=ivan
    )

    meters = await client.execute(METERS, {"number": IVAN_ACCOUNT}, token=ivan)
    preview = await client.execute(
        PREVIEW, {"number": IVAN_ACCOUNT, "readings": day_night(meter, 4940, 5019)}, token=ivan
    )

    # The reading entered now is this screen's current one, still measured from the on-site one.
    registers = meters["account"]["meters"][0]["registers"]
    assert [(r["periodStart"]["value"], r["current"]["value"]) for r in registers] == [
        ("4938", "4939"),
        ("5017", "5018"),
    ]
    assert [r["current"]["consumption"] for r in registers] == ["1", "1"]
    result = preview["previewReadings"]["preview"]
    assert result["totalConsumption"] == "4"  # 4940 - 4938 and 5019 - 5017
    assert result["notice"]
    assert result["period"] == periods.add_months(periods.current_period(TIMEZONE), 1).isoformat()
