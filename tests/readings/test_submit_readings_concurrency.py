"""Many submissions at once for the same registers leave exactly one pending reading each: the
unique customer slot and the transaction decide (run on PostgreSQL for real parallelism)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from tortoise import Tortoise
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

import models
from services import periods
from services.readings.verdict import verdict
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


async def test_submissions_racing_an_uncommitted_reading_wait_and_then_replace_it(client, ivan):
    # Given a customer reading inserted but not yet committed, submissions that read "no pending
    # reading" must wait on the unique slot, then replace that reading instead of adding one.
    meter = await meter_id(client, ivan)
    registers = await models.MeterRegister.filter(meter_id=int(meter)).order_by("position")
    period = periods.current_period("Asia/Yekaterinburg")
    postgres = Tortoise.get_connection("default").capabilities.dialect == "postgres"
    async with in_transaction() as conn:
        held = [
            await models.Reading.create(
                register_id=register.id,
                period=period,
                value=Decimal(value),
                source=models.ReadingSource.CABINET,
                taken_at=datetime.now(UTC),
                customer_slot=f"{register.id}:{period}",
                using_db=conn,
            )
            for register, value in zip(registers, (4939, 5018), strict=True)
        ]
        submissions = [
            asyncio.create_task(
                client.execute(
                    SUBMIT,
                    {"number": IVAN_ACCOUNT, "readings": day_night(meter, 4950 + i, 5030 + i)},
                    token=ivan,
                )
            )
            for i in range(CONCURRENT)
        ]
        if postgres:  # SQLite has one connection: the submissions simply wait for the commit.
            assert await blocked_backends(conn, at_least=3) >= 3

    payloads = [(await task)["submitReadings"] for task in submissions]

    assert all(p["errors"] == [] for p in payloads)
    rows = await pending_customer_readings()
    assert [r.id for r in rows] == [r.id for r in held]
    assert int(rows[0].value) - 4950 == int(rows[1].value) - 5030


async def blocked_backends(conn, *, at_least: int, timeout: float = 10) -> int:
    """How many other sessions wait for a lock (here: on our uncommitted slots)."""
    deadline = time.monotonic() + timeout
    while True:
        _, rows = await conn.execute_query(
            "SELECT count(*) AS n FROM pg_stat_activity "
            "WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        if rows[0]["n"] >= at_least or time.monotonic() > deadline:
            return rows[0]["n"]
        # Inside a transaction PostgreSQL keeps serving the first statistics snapshot.
        await conn.execute_query("SELECT pg_stat_clear_snapshot()")
        await asyncio.sleep(0.02)


async def test_a_submission_waiting_on_a_reading_billing_judges_adds_a_new_one(client, ivan):
    # Given a pending reading that billing is judging (its verdict not yet committed), a
    # submission with new values waits on that row; once the verdict frees the slot, it must
    # add a new pending reading rather than rewrite the judged one.
    meter = await meter_id(client, ivan)
    first = await submit_all(client, ivan, [(4940, 5020)])
    judged_ids = [int(r["id"]) for r in first[0]["readings"]]
    postgres = Tortoise.get_connection("default").capabilities.dialect == "postgres"
    async with in_transaction() as conn:
        await (
            models.Reading.filter(id__in=judged_ids)
            .using_db(conn)
            .update(**verdict(models.ReadingStatus.ACCEPTED))
        )
        submission = asyncio.create_task(
            client.execute(
                SUBMIT,
                {"number": IVAN_ACCOUNT, "readings": day_night(meter, 4950, 5030)},
                token=ivan,
            )
        )
        if postgres:  # SQLite has one connection: the submission simply waits for the commit.
            assert await blocked_backends(conn, at_least=1) >= 1

    payload = (await submission)["submitReadings"]

    assert payload["errors"] == []
    assert {int(r["id"]) for r in payload["readings"]}.isdisjoint(judged_ids)
    judged = await models.Reading.filter(id__in=judged_ids).order_by("id")
    assert [(r.status, r.value, r.customer_slot) for r in judged] == [
        (models.ReadingStatus.ACCEPTED, Decimal(4940), None),
        (models.ReadingStatus.ACCEPTED, Decimal(5020), None),
    ]
    rows = await pending_customer_readings()
    assert [r.value for r in rows] == [Decimal(4950), Decimal(5030)]
