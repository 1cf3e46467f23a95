"""The public tariff calculator: the cost of a consumption at the rates in force on a date, line
by line, without signing in; what can be calculated; typed errors for what cannot."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

import models
from devdata.demo import COMMON_PROPERTY, ELECTRICITY
from services import periods

CALCULATE = """
query Calculate($input: TariffCalculationInput!) {
  tariffCalculation(input: $input) {
    calculation {
      service { code name unit }
      date
      lines { zone zoneText rate validFrom previous current volume cost }
      totalVolume totalCost
    }
    errors { field code message }
  }
}
"""

CATALOGUE = """
query Catalogue($date: Date) {
  tariffCatalogue(date: $date) {
    date
    services { service { code name unit } zones { zone zoneText rate validFrom } }
    errors { field code message }
  }
}
"""

TIMEZONE = "Asia/Yekaterinburg"


def today() -> date:
    return periods.local_today(TIMEZONE)


def demo_change() -> date:
    """The day the demo's rates went from 4.91 to 5.15 (devdata/demo.py)."""
    return periods.add_months(periods.current_period(TIMEZONE), -4)


async def calculate(client, zones, *, service: str = ELECTRICITY, on: date | None = None) -> dict:
    variables = {"serviceCode": service, "zones": zones}
    if on is not None:
        variables["date"] = on.isoformat()
    data = await client.execute(CALCULATE, {"input": variables})
    return data["tariffCalculation"]


async def errors_of(client, zones, **kwargs) -> list[tuple[str, str]]:
    payload = await calculate(client, zones, **kwargs)
    assert payload["calculation"] is None
    for error in payload["errors"]:
        assert any("а" <= ch <= "я" for ch in error["message"].lower()), error
    return [(e["field"], e["code"]) for e in payload["errors"]]


async def test_day_and_night_volumes_cost_the_rates_in_force_today_without_signing_in(client):
    payload = await calculate(
        client, [{"zone": "NIGHT", "volume": "4 941"}, {"zone": "DAY", "volume": "0,3"}]
    )

    assert payload["errors"] == []
    calc = payload["calculation"]
    assert calc["service"] == {"code": ELECTRICITY, "name": "Электроэнергия", "unit": "кВт·ч"}
    assert calc["date"] == today().isoformat()
    # Lines in zone order; 0.3 × 5.15 = 1.545 rounds half-up to 1.55 (half-even would be 1.54).
    assert calc["lines"] == [
        {
            "zone": "DAY",
            "zoneText": "День",
            "rate": "5.15",
            "validFrom": demo_change().isoformat(),
            "previous": None,
            "current": None,
            "volume": "0.3",
            "cost": "1.55",
        },
        {
            "zone": "NIGHT",
            "zoneText": "Ночь",
            "rate": "5.15",
            "validFrom": demo_change().isoformat(),
            "previous": None,
            "current": None,
            "volume": "4941",
            "cost": "25446.15",
        },
    ]
    assert calc["totalVolume"] == "4941.3"
    assert calc["totalCost"] == "25447.70"


async def test_two_readings_of_a_meter_cost_their_difference(client):
    payload = await calculate(
        client,
        [
            {"zone": "DAY", "previous": "4 941", "current": "5 018,5"},
            {"zone": "NIGHT", "previous": "100", "current": "100"},
        ],
    )

    assert payload["errors"] == []
    day, night = payload["calculation"]["lines"]
    # 77.5 × 5.15 = 399.125 → 399.13 half-up.
    assert (day["previous"], day["current"], day["volume"], day["cost"]) == (
        "4941",
        "5018.5",
        "77.5",
        "399.13",
    )
    assert (night["volume"], night["cost"]) == ("0", "0.00")
    assert payload["calculation"]["totalCost"] == "399.13"


async def test_a_date_before_a_rate_change_uses_the_rate_then_in_force(client):
    electricity = await models.Service.get(code=ELECTRICITY)
    change = today() + timedelta(days=10)
    await models.TariffRate.create(
        service=electricity, zone=models.MeterZone.DAY, rate=Decimal("6.1234"), valid_from=change
    )
    zones = [{"zone": "DAY", "volume": "100"}, {"zone": "NIGHT", "volume": "100"}]

    before = await calculate(client, zones, on=change - timedelta(days=1))
    on_the_day = await calculate(client, zones, on=change)
    before_demo_change = await calculate(client, zones, on=demo_change() - timedelta(days=1))

    assert [(x["rate"], x["cost"]) for x in before["calculation"]["lines"]] == [
        ("5.15", "515.00"),
        ("5.15", "515.00"),
    ]
    assert [(x["rate"], x["validFrom"], x["cost"]) for x in on_the_day["calculation"]["lines"]] == [
        ("6.1234", change.isoformat(), "612.34"),
        ("5.15", demo_change().isoformat(), "515.00"),
    ]
    assert on_the_day["calculation"]["totalCost"] == "1127.34"
    assert [(x["rate"], x["validFrom"]) for x in before_demo_change["calculation"]["lines"]] == [
        ("4.91", "2024-01-01"),
        ("4.91", "2024-01-01"),
    ]


async def test_the_catalogue_lists_services_zones_and_rates_in_force_without_signing_in(client):
    change = today() + timedelta(days=3)
    electricity = await models.Service.get(code=ELECTRICITY)
    await models.TariffRate.create(
        service=electricity, zone=models.MeterZone.NIGHT, rate=Decimal("2.5"), valid_from=change
    )
    await models.Service.create(code="NO_RATES", name="Без тарифа")

    data = await client.execute(CATALOGUE)
    later = await client.execute(CATALOGUE, {"date": change.isoformat()})

    payload = data["tariffCatalogue"]
    assert payload["errors"] == []
    assert payload["date"] == today().isoformat()
    assert [s["service"]["code"] for s in payload["services"]] == [ELECTRICITY, COMMON_PROPERTY]
    zones = payload["services"][0]["zones"]
    assert [(z["zone"], z["zoneText"], z["rate"]) for z in zones] == [
        ("SINGLE", "Круглосуточно", "5.15"),
        ("DAY", "День", "5.15"),
        ("NIGHT", "Ночь", "5.15"),
        ("PEAK", "Пик", "5.15"),
        ("SEMIPEAK", "Полупик", "5.15"),
    ]
    later_zones = later["tariffCatalogue"]["services"][0]["zones"]
    assert [(z["zone"], z["rate"], z["validFrom"]) for z in later_zones][2] == (
        "NIGHT",
        "2.50",
        change.isoformat(),
    )


async def test_an_unknown_service_is_not_found(client):
    assert await errors_of(client, [{"zone": "DAY", "volume": "1"}], service="GAS") == [
        ("input.serviceCode", "NOT_FOUND")
    ]


async def test_a_zone_without_a_rate_on_the_date_is_not_found(client):
    service = await models.Service.create(code="SINGLE_ONLY", name="Однотарифная")
    await models.TariffRate.create(
        service=service, zone=models.MeterZone.SINGLE, rate=Decimal("3"), valid_from=today()
    )

    assert await errors_of(
        client,
        [{"zone": "SINGLE", "volume": "1"}, {"zone": "DAY", "volume": "1"}],
        service="SINGLE_ONLY",
    ) == [("input.zones.1.zone", "NOT_FOUND")]
    # Before its first rate, no zone has one.
    assert await errors_of(
        client,
        [{"zone": "SINGLE", "volume": "1"}],
        service="SINGLE_ONLY",
        on=today() - timedelta(days=1),
    ) == [("input.zones.0.zone", "NOT_FOUND")]


@pytest.mark.parametrize(
    ("zones", "expected"),
    [
        (
            [{"zone": "DAY", "volume": "1"}, {"zone": "DAY", "volume": "2"}],
            [("input.zones.1.zone", "INVALID_INPUT")],
        ),
        ([{"zone": "DAY", "volume": "-1"}], [("input.zones.0.volume", "INVALID_INPUT")]),
        (
            [{"zone": "DAY", "previous": "5000", "current": "4941"}],
            [("input.zones.0.current", "READING_NOT_GREATER")],
        ),
        (
            [{"zone": "DAY", "previous": "-5", "current": "4941"}],
            [("input.zones.0.previous", "INVALID_INPUT")],
        ),
        ([{"zone": "DAY", "previous": "5000"}], [("input.zones.0.current", "REQUIRED")]),
        (
            [{"zone": "DAY", "volume": "1", "previous": "1", "current": "2"}],
            [("input.zones.0.volume", "INVALID_INPUT")],
        ),
        ([{"zone": "DAY"}], [("input.zones.0.volume", "REQUIRED")]),
        ([{"zone": "DAY", "volume": "1000000001"}], [("input.zones.0.volume", "INVALID_INPUT")]),
        ([], [("input.zones", "REQUIRED")]),
        (
            [{"zone": z, "volume": "1"} for z in ("SINGLE", "DAY", "NIGHT", "PEAK", "SEMIPEAK")]
            + [{"zone": "DAY", "volume": "1"}],
            [("input.zones", "INVALID_INPUT")],
        ),
    ],
    ids=[
        "zone-twice",
        "negative-volume",
        "current-below-previous",
        "negative-reading",
        "one-reading",
        "volume-and-readings",
        "neither",
        "huge-volume",
        "no-zones",
        "too-many-zones",
    ],
)
async def test_invalid_consumption_is_refused_with_field_paths(client, zones, expected):
    assert await errors_of(client, zones) == expected


@pytest.mark.parametrize("years", [11, -2])
async def test_a_far_date_is_refused(client, years):
    far = today() + timedelta(days=-365 * years)

    assert await errors_of(client, [{"zone": "DAY", "volume": "1"}], on=far) == [
        ("input.date", "INVALID_INPUT")
    ]
    data = await client.execute(CATALOGUE, {"date": far.isoformat()})
    assert data["tariffCatalogue"]["services"] == []
    assert [(e["field"], e["code"]) for e in data["tariffCatalogue"]["errors"]] == [
        ("input.date", "INVALID_INPUT")
    ]


async def test_a_calculation_and_the_catalogue_take_two_statements_each(client, sql_queries):
    before = sql_queries.count
    payload = await calculate(
        client, [{"zone": z, "volume": "10"} for z in ("SINGLE", "DAY", "NIGHT", "PEAK")]
    )
    calculation = sql_queries.count - before
    before = sql_queries.count
    await client.execute(CATALOGUE)
    catalogue = sql_queries.count - before

    assert len(payload["calculation"]["lines"]) == 4
    assert (calculation, catalogue) == (2, 2)


async def test_a_volume_of_minus_zero_counts_as_zero(client):
    payload = await calculate(client, [{"zone": "SINGLE", "volume": "-0"}])

    assert payload["errors"] == []
    line = payload["calculation"]["lines"][0]
    assert (line["volume"], line["cost"], payload["calculation"]["totalCost"]) == (
        "0",
        "0.00",
        "0.00",
    )
