"""Customers' readings exported for billing, and billing's verdict the customer then sees."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import models
from devdata.demo import IVAN_ACCOUNT
from services import periods

EXPORT = """
mutation Export($period: Date!, $include: Boolean!) {
  exportReadings(period: $period, includeExported: $include) {
    readings { id accountNumber meterSerialNumber zone value period source status }
    errors { code field }
  }
}
"""
SET_STATUSES = """
mutation Set($items: [ReadingStatusInput!]!) {
  setReadingStatuses(items: $items) {
    updated unchanged refused
    items { index key status reason field }
  }
}
"""
CUSTOMER_CURRENT = """
query($n: String!) {
  account(number: $n) { meters { registers { zone current { value status } } } }
}
"""


async def customer_reading(zone: models.MeterZone, value: int) -> models.Reading:
    """A reading Ivan submitted in the cabinet this period (made through models: the customer's
    submitReadings belongs to the readings domain)."""
    register = await models.MeterRegister.get(meter__serial_number="937060", zone=zone)
    period = periods.current_period("Asia/Yekaterinburg")
    user = await models.User.get(login="Ivan")
    return await models.Reading.create(
        register=register,
        period=period,
        value=Decimal(value),
        source=models.ReadingSource.CABINET,
        status=models.ReadingStatus.PENDING,
        taken_at=datetime.now(UTC),
        user=user,
        customer_slot=f"{register.id}:{period.isoformat()}",
    )


async def test_exported_reading_accepted_is_seen_by_the_customer(
    integration, billing_key, client, ivan
):
    day = await customer_reading(models.MeterZone.DAY, 4990)
    night = await customer_reading(models.MeterZone.NIGHT, 5050)
    period = day.period.isoformat()

    exported = await integration.execute(
        EXPORT, {"period": period, "include": False}, key=billing_key
    )
    rows = exported["exportReadings"]["readings"]
    assert [(r["accountNumber"], r["meterSerialNumber"], r["zone"], r["value"]) for r in rows] == [
        (IVAN_ACCOUNT, "937060", "DAY", "4990"),
        (IVAN_ACCOUNT, "937060", "NIGHT", "5050"),
    ]
    assert {r["source"] for r in rows} == {"CABINET"}
    assert await models.Reading.filter(id=day.id, exported_at__isnull=False).exists()

    verdicts = [
        {"id": str(day.id), "status": "ACCEPTED"},
        {"id": str(night.id), "status": "REJECTED", "reason": "Меньше снятого контролёром"},
    ]
    data = await integration.execute(SET_STATUSES, {"items": verdicts}, key=billing_key)
    assert data["setReadingStatuses"]["updated"] == 2

    seen = await client.execute(CUSTOMER_CURRENT, {"n": IVAN_ACCOUNT}, token=ivan)
    registers = seen["account"]["meters"][0]["registers"]
    assert {r["zone"]: r["current"]["status"] for r in registers} == {
        "DAY": "ACCEPTED",
        "NIGHT": "REJECTED",
    }
    day, night = await models.Reading.get(id=day.id), await models.Reading.get(id=night.id)
    assert (day.customer_slot, night.customer_slot) == (None, None)
    assert (day.rejection_reason, night.rejection_reason) == (None, "Меньше снятого контролёром")


async def test_export_again_answers_only_new_readings(integration, billing_key):
    first = await customer_reading(models.MeterZone.DAY, 4990)
    period = first.period.isoformat()
    await integration.execute(EXPORT, {"period": period, "include": False}, key=billing_key)

    again = await integration.execute(EXPORT, {"period": period, "include": False}, key=billing_key)
    everything = await integration.execute(
        EXPORT, {"period": period, "include": True}, key=billing_key
    )

    assert again["exportReadings"]["readings"] == []
    assert [r["id"] for r in everything["exportReadings"]["readings"]] == [str(first.id)]


async def test_export_leaves_out_readings_billing_took_itself(integration, billing_key):
    period = periods.add_months(periods.current_period("Asia/Yekaterinburg"), -1)

    data = await integration.execute(
        EXPORT, {"period": period.isoformat(), "include": True}, key=billing_key
    )

    assert data["exportReadings"]["readings"] == []  # the demo's ONSITE reading is not a customer's


async def test_set_statuses_again_changes_nothing_and_refuses_bad_items(integration, billing_key):
    day = await customer_reading(models.MeterZone.DAY, 4990)
    onsite = await models.Reading.filter(source=models.ReadingSource.ONSITE).first()
    assert onsite is not None
    items = [
        {"id": str(day.id), "status": "ACCEPTED"},
        {"id": str(onsite.id), "status": "ACCEPTED"},
        {"id": "999999", "status": "ACCEPTED"},
        {"id": str(day.id), "status": "REJECTED"},
        {"id": str(day.id), "status": "PENDING"},
    ]
    await integration.execute(SET_STATUSES, {"items": items[:1]}, key=billing_key)

    data = await integration.execute(SET_STATUSES, {"items": items}, key=billing_key)

    results = data["setReadingStatuses"]["items"]
    assert [r["status"] for r in results] == [
        "UNCHANGED",
        "REFUSED",
        "REFUSED",
        "REFUSED",
        "REFUSED",
    ]
    assert [r["field"] for r in results[1:]] == ["id", "id", "reason", "status"]
    assert (await models.Reading.get(id=day.id)).status == models.ReadingStatus.ACCEPTED


async def test_export_period_must_be_first_day(integration, billing_key):
    data = await integration.execute(
        EXPORT, {"period": "2026-11-15", "include": False}, key=billing_key
    )

    assert data["exportReadings"]["errors"] == [{"code": "INVALID_INPUT", "field": "period"}]
