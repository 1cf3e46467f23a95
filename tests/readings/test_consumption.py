"""Account.consumption: per month and service, the metered volume per zone, the charge of the
statement, where the readings came from; months without readings say so; range limits."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import models
from services import periods
from tests.readings.documents import IVAN_ACCOUNT, PETR_ACCOUNT

CONSUMPTION = """
query Consumption($number: String!, $from: Date, $to: Date) {
  account(number: $number) {
    consumption(from: $from, to: $to) {
      period
      services {
        service { code }
        hasReadings volume charged billedVolume sources
        zones { zone volume }
      }
    }
  }
}
"""


def month(months_back: int) -> str:
    current = periods.current_period("Asia/Yekaterinburg")
    return periods.add_months(current, -months_back).isoformat()


async def consumption(client, token, **variables):
    data = await client.execute(CONSUMPTION, {"number": IVAN_ACCOUNT, **variables}, token=token)
    return data["account"]["consumption"]


def by_code(entry):
    return {s["service"]["code"]: s for s in entry["services"]}


async def test_consumption_defaults_to_the_last_twelve_months_oldest_first(client, ivan):
    months = await consumption(client, ivan)

    assert [m["period"] for m in months] == [month(b) for b in range(11, -1, -1)]


async def test_months_with_readings_show_volume_per_zone_charge_and_sources(client, ivan):
    months = await consumption(client, ivan, **{"from": month(2), "to": month(1)})

    assert [m["period"] for m in months] == [month(2), month(1)]
    last = by_code(months[1])
    assert last["ELECTRICITY"] == {
        "service": {"code": "ELECTRICITY"},
        "hasReadings": True,
        "volume": "35.0",
        "charged": "169.95",
        "billedVolume": "33.0",
        "sources": ["ONSITE"],
        "zones": [{"zone": "DAY", "volume": "19.0"}, {"zone": "NIGHT", "volume": "16.0"}],
    }
    before = by_code(months[0])["ELECTRICITY"]
    assert (before["volume"], before["charged"], before["sources"]) == (
        "37.0",
        "180.25",
        ["CABINET"],
    )
    assert before["zones"] == [
        {"zone": "DAY", "volume": "20.0"},
        {"zone": "NIGHT", "volume": "17.0"},
    ]
    # The common property has no meter: charged, but no readings.
    common = last["ELECTRICITY_COMMON"]
    assert (common["hasReadings"], common["volume"], common["zones"], common["sources"]) == (
        False,
        None,
        [],
        [],
    )
    assert (common["charged"], common["billedVolume"]) == ("133.98", "26.015")


async def test_a_month_without_readings_says_so_rather_than_zero(client, ivan):
    months = await consumption(client, ivan, **{"from": month(8), "to": month(0)})

    for index in (0, 1, 8):  # 8 and 7 months back, and the current month
        electricity = by_code(months[index])["ELECTRICITY"]
        assert electricity["hasReadings"] is False
        assert electricity["volume"] is None
        assert electricity["zones"] == []
        assert electricity["charged"] is None
    # The oldest month with readings has no earlier reading to start from: volume unknown.
    oldest = by_code(months[2])["ELECTRICITY"]
    assert oldest["hasReadings"] is True
    assert oldest["volume"] is None
    assert oldest["zones"] == [{"zone": "DAY", "volume": None}, {"zone": "NIGHT", "volume": None}]
    assert oldest["charged"] == "206.22"


async def test_rejected_readings_are_not_counted_and_estimates_are_named(client, ivan):
    day = await models.MeterRegister.get(meter__serial_number="937060", zone="DAY")
    night = await models.MeterRegister.get(meter__serial_number="937060", zone="NIGHT")
    current = periods.current_period("Asia/Yekaterinburg")
    taken = datetime.now(UTC)
    await models.Reading.create(
        register=day,
        period=current,
        value=Decimal(4950),
        taken_at=taken,
        source=models.ReadingSource.ESTIMATED,
        status=models.ReadingStatus.ACCEPTED,
    )
    await models.Reading.create(
        register=night,
        period=current,
        value=Decimal(9999),
        taken_at=taken,
        source=models.ReadingSource.CABINET,
        status=models.ReadingStatus.REJECTED,
    )

    months = await consumption(client, ivan, **{"from": month(0), "to": month(0)})

    electricity = by_code(months[0])["ELECTRICITY"]
    assert electricity["hasReadings"] is True
    assert electricity["sources"] == ["ESTIMATED"]
    assert electricity["zones"] == [{"zone": "DAY", "volume": "12.0"}]
    assert electricity["volume"] == "12.0"


async def test_more_than_36_months_is_refused_with_the_field(client, ivan):
    body = await client.post(
        CONSUMPTION, {"number": IVAN_ACCOUNT, "from": month(36), "to": month(0)}, token=ivan
    )

    assert body["data"] is None or body["data"]["account"] is None
    error = body["errors"][0]
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert error["extensions"]["field"] == "to"
    assert "36" in error["message"]
    # 36 months are allowed.
    assert len(await consumption(client, ivan, **{"from": month(35), "to": month(0)})) == 36


async def test_a_reversed_range_is_refused(client, ivan):
    body = await client.post(
        CONSUMPTION, {"number": IVAN_ACCOUNT, "from": month(1), "to": month(3)}, token=ivan
    )

    error = body["errors"][0]
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert error["extensions"]["field"] == "from"


async def test_another_users_account_answers_null(client, ivan):
    data = await client.execute(CONSUMPTION, {"number": PETR_ACCOUNT}, token=ivan)

    assert data["account"] is None


async def test_the_statement_count_does_not_depend_on_the_range(client, ivan, sql_queries):
    counts = []
    for first, last in ((month(1), month(1)), (month(35), month(0))):
        sql_queries.count = 0
        months = await consumption(client, ivan, **{"from": first, "to": last})
        assert by_code(months[-1 if last == month(1) else -2])["ELECTRICITY"]["hasReadings"]
        counts.append(sql_queries.count)

    # Session, account, and the four reads of the consumption: the same for 1 or 36 months.
    assert counts == [6, 6]
