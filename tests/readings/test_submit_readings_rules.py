"""submitReadings: every rule answers a typed error with the path of the wrong item, and nothing
is stored when any item fails."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import models
from services import periods
from tests.readings.documents import (
    IVAN_ACCOUNT,
    PETR_ACCOUNT,
    PREVIEW,
    SUBMIT,
    day_night,
    errors_of,
    meter_id,
    reading_count,
)


async def submit(client, token, readings, number=IVAN_ACCOUNT):
    data = await client.execute(SUBMIT, {"number": number, "readings": readings}, token=token)
    return data["submitReadings"]


async def test_submit_readings_stores_pending_cabinet_readings(client, ivan):
    meter = await meter_id(client, ivan)
    before = await reading_count()

    payload = await submit(client, ivan, day_night(meter, 4940, 5020))

    assert payload["errors"] == []
    assert [(r["zone"], r["value"], r["consumption"]) for r in payload["readings"]] == [
        ("DAY", "4940", "2"),
        ("NIGHT", "5020", "3"),
    ]
    assert {(r["source"], r["status"]) for r in payload["readings"]} == {("CABINET", "PENDING")}
    rows = await models.Reading.filter(source=models.ReadingSource.CABINET, status="PENDING")
    assert sorted(int(r.value) for r in rows) == [4940, 5020]
    assert {r.customer_slot for r in rows} == {f"{r.register_id}:{r.period}" for r in rows}
    assert await reading_count() == before + 2


@pytest.mark.parametrize(
    ("day", "code", "field"),
    [
        ("4938", "READING_NOT_GREATER", "readings.0.value"),  # equal to the period start
        ("4000", "READING_NOT_GREATER", "readings.0.value"),
        ("4939.5", "INVALID_INPUT", "readings.0.value"),
        ("-1", "INVALID_INPUT", "readings.0.value"),
        ("14939", "READING_TOO_HIGH", "readings.0.value"),  # 10001 above 4938
        ("1000000000000", "INVALID_INPUT", "readings.0.value"),
    ],
)
async def test_submit_readings_rejects_a_wrong_value(client, ivan, day, code, field):
    meter = await meter_id(client, ivan)
    before = await reading_count()

    payload = await submit(client, ivan, day_night(meter, day, 5018))

    assert errors_of(payload) == [(field, code)]
    assert payload["readings"] == []
    assert payload["period"] is None
    assert all(e["message"] for e in payload["errors"])
    assert await reading_count() == before


async def test_submit_readings_accepts_up_to_the_monthly_limit(client, ivan):
    meter = await meter_id(client, ivan)

    payload = await submit(client, ivan, day_night(meter, 4938 + 10000, "5018.000"))

    assert payload["errors"] == []
    assert [r["value"] for r in payload["readings"]] == ["14938", "5018"]


async def test_submit_readings_lower_than_previous_on_the_second_item(client, ivan):
    meter = await meter_id(client, ivan)
    before = await reading_count()

    payload = await submit(client, ivan, day_night(meter, 4939, 5000))

    assert errors_of(payload) == [("readings.1.value", "READING_NOT_GREATER")]
    assert "5017" in payload["errors"][0]["message"]
    assert await reading_count() == before


async def test_submit_readings_reports_every_wrong_item(client, ivan):
    meter = await meter_id(client, ivan)
    before = await reading_count()

    payload = await submit(client, ivan, day_night(meter, "4939.5", -3))

    assert errors_of(payload) == [
        ("readings.0.value", "INVALID_INPUT"),
        ("readings.1.value", "INVALID_INPUT"),
    ]
    assert await reading_count() == before


async def test_submit_readings_needs_every_register_of_the_meter(client, ivan):
    meter = await meter_id(client, ivan)
    before = await reading_count()

    payload = await submit(client, ivan, day_night(meter, 4939, 5018)[:1])

    assert errors_of(payload) == [("readings", "REQUIRED")]
    assert "Ночь" in payload["errors"][0]["message"]
    assert await reading_count() == before


async def test_submit_readings_with_a_duplicated_register(client, ivan):
    meter = await meter_id(client, ivan)
    before = await reading_count()
    readings = [*day_night(meter, 4939, 5018), {"meterId": meter, "zone": "DAY", "value": "4940"}]

    payload = await submit(client, ivan, readings)

    assert errors_of(payload) == [("readings.2", "INVALID_INPUT")]
    assert await reading_count() == before


@pytest.mark.parametrize("unknown", ["999999", "abc", ""])
async def test_submit_readings_of_an_unknown_meter(client, ivan, unknown):
    meter = await meter_id(client, ivan)
    before = await reading_count()
    readings = [*day_night(meter, 4939, 5018), {"meterId": unknown, "zone": "DAY", "value": "1"}]

    payload = await submit(client, ivan, readings)

    assert errors_of(payload) == [("readings.2.meterId", "NOT_FOUND")]
    assert await reading_count() == before


async def test_submit_readings_of_a_meter_of_another_account(client, ivan, petr):
    ivan_meter = await meter_id(client, ivan)
    petr_meter = await meter_id(client, petr, PETR_ACCOUNT)
    before = await reading_count()
    readings = [
        *day_night(ivan_meter, 4939, 5018),
        {"meterId": petr_meter, "zone": "SINGLE", "value": "12001"},
    ]

    payload = await submit(client, ivan, readings)

    assert errors_of(payload) == [("readings.2.meterId", "NOT_FOUND")]
    assert await reading_count() == before


async def test_submit_readings_of_a_zone_the_meter_has_not(client, ivan):
    meter = await meter_id(client, ivan)
    before = await reading_count()
    readings = [*day_night(meter, 4939, 5018), {"meterId": meter, "zone": "PEAK", "value": "1"}]

    payload = await submit(client, ivan, readings)

    assert errors_of(payload) == [("readings.2.zone", "NOT_FOUND")]
    assert await reading_count() == before


async def test_submit_readings_without_readings(client, ivan):
    payload = await submit(client, ivan, [])

    assert errors_of(payload) == [("readings", "REQUIRED")]


async def test_submit_readings_on_another_users_account(client, ivan, petr):
    meter = await meter_id(client, ivan)
    before = await reading_count()

    payload = await submit(client, petr, day_night(meter, 4939, 5018))

    assert errors_of(payload) == [("accountNumber", "NOT_FOUND")]
    assert await reading_count() == before


async def test_submit_readings_without_signing_in(client, ivan):
    meter = await meter_id(client, ivan)
    before = await reading_count()

    payload = await submit(client, None, day_night(meter, 4939, 5018))

    assert errors_of(payload) == [(None, "UNAUTHENTICATED")]
    assert await reading_count() == before


async def test_submit_readings_skips_a_rejected_period_start(client, ivan):
    # Billing rejected the on-site reading: the period then starts from the month before.
    meter = await meter_id(client, ivan)
    onsite = await models.Reading.filter(source=models.ReadingSource.ONSITE)
    await models.Reading.filter(id__in=[r.id for r in onsite]).update(
        status=models.ReadingStatus.REJECTED
    )

    payload = await submit(client, ivan, day_night(meter, 4930, 5010))

    assert payload["errors"] == []
    assert [r["consumption"] for r in payload["readings"]] == [str(4930 - 4919), str(5010 - 5001)]


async def add_single_zone_meter(*, months_back: int | None, value: int = 100) -> str:
    """A meter of Ivan's with one register and, optionally, one accepted reading."""
    account = await models.Account.get(number=IVAN_ACCOUNT)
    service = await models.Service.get(code="ELECTRICITY")
    meter = await models.Meter.create(account=account, service=service, serial_number="777")
    register = await models.MeterRegister.create(
        meter=meter, zone=models.MeterZone.SINGLE, description="Общий"
    )
    if months_back is not None:
        current = periods.current_period("Asia/Yekaterinburg")
        await models.Reading.create(
            register=register,
            period=periods.add_months(current, -months_back),
            value=value,
            source=models.ReadingSource.IMPORT,
            status=models.ReadingStatus.ACCEPTED,
            taken_at=datetime.now(UTC),
        )
    return str(meter.id)


async def test_submit_readings_of_a_meter_without_readings(client, ivan):
    meter = await add_single_zone_meter(months_back=None)

    preview = await client.execute(
        PREVIEW,
        {"number": IVAN_ACCOUNT, "readings": [{"meterId": meter, "zone": "SINGLE", "value": "7"}]},
        token=ivan,
    )
    payload = await submit(client, ivan, [{"meterId": meter, "zone": "SINGLE", "value": "7"}])

    line = preview["previewReadings"]["preview"]["lines"][0]
    assert (line["previous"], line["consumption"]) == ("0", "7")
    assert payload["errors"] == []
    assert payload["readings"][0]["consumption"] is None


async def test_submit_readings_after_months_without_readings(client, ivan):
    # The last reading is three periods old: the rules still compare with it, and the monthly
    # limit covers every month since.
    meter = await add_single_zone_meter(months_back=3, value=100)
    entry = {"meterId": meter, "zone": "SINGLE"}

    lower = await submit(client, ivan, [{**entry, "value": "100"}])
    too_high = await submit(client, ivan, [{**entry, "value": str(100 + 3 * 10000 + 1)}])
    highest = await submit(client, ivan, [{**entry, "value": str(100 + 3 * 10000)}])

    assert errors_of(lower) == [("readings.0.value", "READING_NOT_GREATER")]
    assert errors_of(too_high) == [("readings.0.value", "READING_TOO_HIGH")]
    assert highest["errors"] == []
    assert highest["readings"][0]["consumption"] == "30000"


async def test_submit_readings_lists_errors_item_by_item(client, ivan, petr):
    meter = await meter_id(client, ivan)
    petr_meter = await meter_id(client, petr, PETR_ACCOUNT)
    readings = [
        {"meterId": meter, "zone": "DAY", "value": "4000"},
        {"meterId": petr_meter, "zone": "SINGLE", "value": "12001"},
        {"meterId": meter, "zone": "DAY", "value": "4939.1"},
    ]

    payload = await submit(client, ivan, readings)

    assert errors_of(payload) == [
        ("readings.0.value", "READING_NOT_GREATER"),
        ("readings.1.meterId", "NOT_FOUND"),
        ("readings.2", "INVALID_INPUT"),
        ("readings", "REQUIRED"),
    ]
