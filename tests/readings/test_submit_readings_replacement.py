"""Entering again in the same period replaces the customer's pending reading; the same values
change nothing; once billing has judged a reading, a new entry is a new pending reading."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import models
from services.errors import DomainError, ErrorCode
from services.readings import verdict
from tests.readings.documents import (
    IVAN_ACCOUNT,
    SUBMIT,
    customer_readings,
    day_night,
    meter_id,
    reading_count,
)


async def submit(client, token, readings):
    data = await client.execute(SUBMIT, {"number": IVAN_ACCOUNT, "readings": readings}, token=token)
    payload = data["submitReadings"]
    assert payload["errors"] == []
    return payload


async def snapshot() -> list[tuple]:
    rows = await models.Reading.all().order_by("id")
    return [(r.id, r.value, r.status, r.taken_at, r.customer_slot) for r in rows]


async def test_submit_readings_again_replaces_the_pending_reading(client, ivan):
    meter = await meter_id(client, ivan)
    first = await submit(client, ivan, day_night(meter, 4940, 5020))
    count = await reading_count()

    second = await submit(client, ivan, day_night(meter, 4945, 5020))

    assert [r["id"] for r in second["readings"]] == [r["id"] for r in first["readings"]]
    assert [r["value"] for r in second["readings"]] == ["4945", "5020"]
    assert await reading_count() == count
    assert await customer_readings() == [("DAY", 4945, "CABINET"), ("NIGHT", 5020, "CABINET")]


async def test_submit_readings_with_the_same_values_changes_nothing(client, ivan):
    meter = await meter_id(client, ivan)
    first = await submit(client, ivan, day_night(meter, 4940, 5020))
    before = await snapshot()

    second = await submit(client, ivan, day_night(meter, 4940, 5020))

    assert second["readings"] == first["readings"]
    assert await snapshot() == before


async def test_replacing_an_exported_reading_marks_it_for_export_again(client, ivan):
    meter = await meter_id(client, ivan)
    await submit(client, ivan, day_night(meter, 4940, 5020))
    await models.Reading.filter(status=models.ReadingStatus.PENDING).update(
        exported_at=datetime.now(UTC)
    )

    await submit(client, ivan, day_night(meter, 4941, 5020))

    pending = {r.value: r.exported_at for r in await models.Reading.filter(status="PENDING")}
    assert pending[4941] is None  # the new value goes to billing again
    assert pending[5020] is not None  # the unchanged one was not touched


async def test_after_billing_judged_a_reading_a_new_entry_is_a_new_reading(client, ivan):
    meter = await meter_id(client, ivan)
    first = await submit(client, ivan, day_night(meter, 4940, 5020))
    for reading in first["readings"]:
        await verdict.set_reading_status(int(reading["id"]), models.ReadingStatus.ACCEPTED)

    second = await submit(client, ivan, day_night(meter, 4941, 5021))

    assert {r["id"] for r in second["readings"]}.isdisjoint({r["id"] for r in first["readings"]})
    accepted = await models.Reading.filter(id__in=[int(r["id"]) for r in first["readings"]])
    assert {(r.status, r.customer_slot) for r in accepted} == {("ACCEPTED", None)}
    assert await customer_readings() == [("DAY", 4941, "CABINET"), ("NIGHT", 5021, "CABINET")]


async def test_set_reading_status_keeps_the_reason_of_a_rejection(client, ivan):
    meter = await meter_id(client, ivan)
    first = await submit(client, ivan, day_night(meter, 4940, 5020))
    reading_id = int(first["readings"][0]["id"])

    await verdict.set_reading_status(reading_id, models.ReadingStatus.REJECTED, "Не совпадает")

    row = await models.Reading.get(id=reading_id)
    assert (row.status, row.rejection_reason, row.customer_slot) == (
        "REJECTED",
        "Не совпадает",
        None,
    )


async def test_set_reading_status_refuses_pending_and_unknown_readings(client, ivan):
    with pytest.raises(DomainError) as pending:
        await verdict.set_reading_status(1, models.ReadingStatus.PENDING)
    with pytest.raises(DomainError) as unknown:
        await verdict.set_reading_status(10**9, models.ReadingStatus.ACCEPTED)

    assert pending.value.errors[0].code == ErrorCode.INVALID_INPUT
    assert unknown.value.errors[0].code == ErrorCode.NOT_FOUND


async def test_submit_readings_takes_a_handful_of_statements(client, ivan, sql_queries):
    meter = await meter_id(client, ivan)
    counts = []
    for day, night in [(4940, 5020), (4940, 5020), (4941, 5021)]:
        sql_queries.count = 0
        await submit(client, ivan, day_night(meter, day, night))
        counts.append(sql_queries.count)

    # Session, account, registers, readings around the period; then one upsert of every register
    # (no transaction around it) for new or changed values, nothing for the same values.
    assert counts == [5, 4, 5]
