"""Readings taken on site or estimated: stored ACCEPTED, one per register, period and source."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import models
from devdata.demo import PETR_ACCOUNT

IMPORT_READINGS = """
mutation Import($items: [SiteReadingInput!]!) {
  importReadings(items: $items) {
    created updated unchanged refused
    items { index key status reason field }
  }
}
"""


def reading(value: str, **changes) -> dict:
    item = {
        "accountNumber": PETR_ACCOUNT,
        "meterSerialNumber": "1120345",
        "zone": "SINGLE",
        "period": "2027-01-01",
        "value": value,
        "source": "ONSITE",
        "takenAt": "2027-01-20T11:00:00+05:00",
    }
    item.update(changes)
    return item


async def test_import_onsite_reading_then_rerun_changes_nothing(integration, billing_key):
    first = await integration.execute(
        IMPORT_READINGS, {"items": [reading("12150")]}, key=billing_key
    )
    again = await integration.execute(
        IMPORT_READINGS, {"items": [reading("12150")]}, key=billing_key
    )
    corrected = await integration.execute(
        IMPORT_READINGS, {"items": [reading("12151")]}, key=billing_key
    )

    assert first["importReadings"]["created"] == 1
    assert again["importReadings"]["unchanged"] == 1
    assert corrected["importReadings"]["updated"] == 1
    rows = await models.Reading.filter(period=date(2027, 1, 1))
    assert [(r.value, r.source, r.status) for r in rows] == [
        (Decimal("12151"), models.ReadingSource.ONSITE, models.ReadingStatus.ACCEPTED)
    ]


async def test_estimated_and_onsite_readings_are_kept_apart(integration, billing_key):
    items = [reading("12150"), reading("12100", source="ESTIMATED")]

    data = await integration.execute(IMPORT_READINGS, {"items": items}, key=billing_key)

    assert data["importReadings"]["created"] == 2


async def test_import_readings_refuses_unknown_meter_zone_and_customer_source(
    integration, billing_key
):
    items = [
        reading("1", meterSerialNumber="000"),
        reading("1", zone="DAY"),
        reading("1", source="CABINET"),
        reading("1", period="2027-01-15"),
    ]

    data = await integration.execute(IMPORT_READINGS, {"items": items}, key=billing_key)

    results = data["importReadings"]["items"]
    assert [r["status"] for r in results] == ["REFUSED"] * 4
    assert [r["field"] for r in results] == [
        "meter_serial_number",
        "meter_serial_number",
        "source",
        "period",
    ]
    assert not await models.Reading.filter(period=date(2027, 1, 1)).exists()
