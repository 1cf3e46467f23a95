"""Many submissions at once for the same registers leave exactly one pending reading each: the
unique customer slot and the transaction decide (run on PostgreSQL for real parallelism)."""

from __future__ import annotations

import asyncio

import pytest
from tortoise.exceptions import IntegrityError

import models
from tests.readings.documents import IVAN_ACCOUNT, SUBMIT, day_night, meter_id

CONCURRENT = 30


async def submit_all(client, token, values):
    meter = await meter_id(client, token)
    results = await asyncio.gather(
        *(
            client.execute(
                SUBMIT,
                {"number": IVAN_ACCOUNT, "readings": day_night(meter, day, night)},
                token=token,
            )
            for day, night in values
        )
    )
    return [r["submitReadings"] for r in results]


async def pending_customer_readings() -> list[models.Reading]:
    return await models.Reading.filter(
        source=models.ReadingSource.CABINET, status=models.ReadingStatus.PENDING
    ).order_by("register_id")


async def test_concurrent_first_submissions_leave_one_reading_per_register(client, ivan):
    values = [(4939 + i, 5018 + i) for i in range(CONCURRENT)]

    payloads = await submit_all(client, ivan, values)

    assert all(p["errors"] == [] for p in payloads)
    rows = await pending_customer_readings()
    assert len(rows) == 2
    day, night = rows
    # Both registers hold the values of one and the same submission: the last one to commit.
    assert (int(day.value) - 4939) == (int(night.value) - 5018)
    assert {tuple(r["id"] for r in p["readings"]) for p in payloads} == {
        (str(day.id), str(night.id))
    }


async def test_concurrent_replacements_leave_one_reading_per_register(client, ivan):
    await submit_all(client, ivan, [(4939, 5018)])
    before = [r.id for r in await pending_customer_readings()]

    payloads = await submit_all(client, ivan, [(4950 + i, 5030 + i) for i in range(CONCURRENT)])

    assert all(p["errors"] == [] for p in payloads)
    rows = await pending_customer_readings()
    assert [r.id for r in rows] == before
    assert int(rows[0].value) - 4950 == int(rows[1].value) - 5030


async def test_the_database_refuses_a_second_pending_customer_reading(client, ivan):
    await submit_all(client, ivan, [(4939, 5018)])
    row = (await pending_customer_readings())[0]

    with pytest.raises(IntegrityError):
        await models.Reading.create(
            register_id=row.register_id,
            period=row.period,
            value=row.value + 1,
            source=models.ReadingSource.PUBLIC,
            taken_at=row.taken_at,
            customer_slot=row.customer_slot,
        )
