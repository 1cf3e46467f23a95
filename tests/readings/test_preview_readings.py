"""previewReadings: consumption and cost before the customer confirms; nothing is stored."""

from __future__ import annotations

from tests.readings.documents import (
    IVAN_ACCOUNT,
    PETR_ACCOUNT,
    PREVIEW,
    day_night,
    errors_of,
    meter_id,
    reading_count,
)


async def test_preview_readings_of_the_demo_meter(client, ivan):
    meter = await meter_id(client, ivan)
    before = await reading_count()

    data = await client.execute(
        PREVIEW, {"number": IVAN_ACCOUNT, "readings": day_night(meter, 4939, 5018)}, token=ivan
    )

    payload = data["previewReadings"]
    assert payload["errors"] == []
    preview = payload["preview"]
    assert preview["lines"] == [
        {
            "meterSerialNumber": "937060",
            "zone": "DAY",
            "previous": "4938",
            "value": "4939",
            "consumption": "1",
            "rate": "5.15",
            "cost": "5.15",
        },
        {
            "meterSerialNumber": "937060",
            "zone": "NIGHT",
            "previous": "5017",
            "value": "5018",
            "consumption": "1",
            "rate": "5.15",
            "cost": "5.15",
        },
    ]
    assert preview["totalConsumption"] == "2"
    assert preview["totalCost"] == "10.30"
    assert preview["notice"] is None
    assert await reading_count() == before


async def test_preview_readings_applies_the_rules(client, ivan):
    meter = await meter_id(client, ivan)

    data = await client.execute(
        PREVIEW, {"number": IVAN_ACCOUNT, "readings": day_night(meter, 4938, 5018)}, token=ivan
    )

    payload = data["previewReadings"]
    assert payload["preview"] is None
    assert errors_of(payload) == [("readings.0.value", "READING_NOT_GREATER")]


async def test_preview_readings_of_another_users_account_is_not_found(client, ivan, petr):
    meter = await meter_id(client, ivan)

    data = await client.execute(
        PREVIEW, {"number": IVAN_ACCOUNT, "readings": day_night(meter, 4939, 5018)}, token=petr
    )

    payload = data["previewReadings"]
    assert payload["preview"] is None
    assert errors_of(payload) == [("accountNumber", "NOT_FOUND")]


async def test_preview_readings_needs_a_signed_in_user(client, ivan):
    meter = await meter_id(client, ivan)

    data = await client.execute(
        PREVIEW, {"number": IVAN_ACCOUNT, "readings": day_night(meter, 4939, 5018)}
    )

    assert errors_of(data["previewReadings"]) == [(None, "UNAUTHENTICATED")]


async def test_preview_readings_of_a_meter_of_another_account(client, ivan, petr):
    petr_meter = await meter_id(client, petr, PETR_ACCOUNT)

    data = await client.execute(
        PREVIEW,
        {
            "number": IVAN_ACCOUNT,
            "readings": [{"meterId": petr_meter, "zone": "SINGLE", "value": "12001"}],
        },
        token=ivan,
    )

    assert errors_of(data["previewReadings"]) == [("readings.0.meterId", "NOT_FOUND")]
