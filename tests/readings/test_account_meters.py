"""Account.meters: registers with what the period starts from and what was entered in it,
loaded in batches (no query per meter or register)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import models
from services import periods
from tests.readings.documents import IVAN_ACCOUNT, METERS, SUBMIT, day_night, meter_id


async def test_account_meters_show_the_period_start_and_the_current_reading(client, ivan):
    meter = await meter_id(client, ivan)
    before = await client.execute(METERS, {"number": IVAN_ACCOUNT}, token=ivan)
    await client.execute(
        SUBMIT, {"number": IVAN_ACCOUNT, "readings": day_night(meter, 4940, 5020)}, token=ivan
    )

    after = await client.execute(METERS, {"number": IVAN_ACCOUNT}, token=ivan)

    (shown,) = before["account"]["meters"]
    assert (shown["serialNumber"], shown["kind"], shown["service"]["code"]) == (
        "937060",
        "INDIVIDUAL",
        "ELECTRICITY",
    )
    registers = shown["registers"]
    assert [(r["zone"], r["description"]) for r in registers] == [
        ("DAY", "День"),
        ("NIGHT", "Ночь"),
    ]
    assert [
        (r["periodStart"]["value"], r["periodStart"]["source"], r["periodStart"]["consumption"])
        for r in registers
    ] == [("4938", "ONSITE", "19"), ("5017", "ONSITE", "16")]
    assert [r["current"] for r in registers] == [None, None]
    current = [r["current"] for r in after["account"]["meters"][0]["registers"]]
    assert [(c["value"], c["consumption"], c["status"], c["source"]) for c in current] == [
        ("4940", "2", "PENDING", "CABINET"),
        ("5020", "3", "PENDING", "CABINET"),
    ]


async def test_account_meters_load_in_batches(client, ivan, sql_queries):
    await client.execute(METERS, {"number": IVAN_ACCOUNT}, token=ivan)
    sql_queries.count = 0
    await client.execute(METERS, {"number": IVAN_ACCOUNT}, token=ivan)
    one_meter = sql_queries.count
    await add_meter_with_three_registers()

    sql_queries.count = 0
    data = await client.execute(METERS, {"number": IVAN_ACCOUNT}, token=ivan)

    assert len(data["account"]["meters"]) == 2
    assert sum(len(m["registers"]) for m in data["account"]["meters"]) == 5
    assert sql_queries.count == one_meter
    assert one_meter <= 12


async def add_meter_with_three_registers() -> None:
    account = await models.Account.get(number=IVAN_ACCOUNT)
    service = await models.Service.get(code="ELECTRICITY")
    meter = await models.Meter.create(account=account, service=service, serial_number="555")
    current = periods.current_period("Asia/Yekaterinburg")
    for position, zone in enumerate(
        (models.MeterZone.PEAK, models.MeterZone.SEMIPEAK, models.MeterZone.NIGHT)
    ):
        register = await models.MeterRegister.create(
            meter=meter, zone=zone, description=zone.value, position=position
        )
        for months_back in (2, 1):
            await models.Reading.create(
                register=register,
                period=periods.add_months(current, -months_back),
                value=Decimal(100 - months_back),
                source=models.ReadingSource.IMPORT,
                status=models.ReadingStatus.ACCEPTED,
                taken_at=datetime.now(UTC),
            )
