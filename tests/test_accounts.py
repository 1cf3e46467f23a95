"""account, me.accounts, services, tariffs, meters and statements, as the user guide shows them."""

from __future__ import annotations

from datetime import timedelta

import pytest

import models

ACCOUNT = """
query Account($number: String!, $period: Date) {
  account(number: $number) {
    number holderName address city
    services {
      service { code name unit }
      provider { name inn }
      recipient { name inn kpp bankName bic settlementAccount correspondentAccount }
      tariffs { zone rate validFrom }
      meterCount
    }
    meters {
      serialNumber kind nextVerificationDate service { code }
      registers { zone description periodStart { value source status } current { value } }
    }
    statement(period: $period) {
      period totalToPay
      lines { service { name } tariff balance paid volume charged recalculation toPay }
    }
  }
}
"""

STATEMENTS = """
query Statements($number: String!, $from: Date, $to: Date) {
  account(number: $number) { statements(from: $from, to: $to) { period totalToPay } }
}
"""


async def test_latest_statement_has_the_lines_of_the_user_guide(client, ivan):
    data = await client.execute(ACCOUNT, {"number": "66200000000"}, token=ivan)
    account = data["account"]
    assert account["holderName"] == "Иванов Иван Иванович"
    assert account["address"] == "г Нижний Тагил, ул Красноармейская, д. 1, кв. 1"
    statement = account["statement"]
    assert statement["totalToPay"] == "272.09"
    assert statement["lines"] == [
        {
            "service": {"name": "Электроэнергия"},
            "tariff": "5.15",
            "balance": "180.25",
            "paid": "180.25",
            "volume": "33.0",
            "charged": "169.95",
            "recalculation": "0.00",
            "toPay": "169.95",
        },
        {
            "service": {"name": "Электроэнергия в целях содержания общего имущества"},
            "tariff": "5.15",
            "balance": "102.14",
            "paid": "102.14",
            "volume": "26.015",
            "charged": "133.98",
            "recalculation": "-63.68",
            "toPay": "102.14",
        },
    ]


async def test_services_name_supplier_recipient_and_tariffs(client, ivan):
    account = (await client.execute(ACCOUNT, {"number": "66200000000"}, token=ivan))["account"]
    electricity = account["services"][0]
    assert electricity["service"] == {
        "code": "ELECTRICITY",
        "name": "Электроэнергия",
        "unit": "кВт·ч",
    }
    assert electricity["provider"]["name"] == 'ООО УК "Строительные технологии"'
    assert electricity["recipient"]["name"] == 'АО "Нижнетагильская Энергосбытовая компания"'
    assert len(electricity["recipient"]["bic"]) == 9
    assert len(electricity["recipient"]["settlementAccount"]) == 20
    assert {t["rate"] for t in electricity["tariffs"]} == {"5.15"}
    assert electricity["meterCount"] == 1


async def test_meter_937060_starts_the_period_from_on_site_readings(client, ivan):
    account = (await client.execute(ACCOUNT, {"number": "66200000000"}, token=ivan))["account"]
    [meter] = account["meters"]
    assert meter["serialNumber"] == "937060"
    assert meter["kind"] == "INDIVIDUAL"
    assert meter["nextVerificationDate"] == "2028-11-25"
    assert meter["registers"] == [
        {
            "zone": "DAY",
            "description": "День",
            "periodStart": {"value": "4938", "source": "ONSITE", "status": "ACCEPTED"},
            "current": None,
        },
        {
            "zone": "NIGHT",
            "description": "Ночь",
            "periodStart": {"value": "5017", "source": "ONSITE", "status": "ACCEPTED"},
            "current": None,
        },
    ]


async def test_another_users_account_is_null_like_a_missing_one(client, ivan, petr):
    foreign = await client.execute(ACCOUNT, {"number": "66200000001"}, token=ivan)
    missing = await client.execute(ACCOUNT, {"number": "99999999999"}, token=ivan)
    anonymous = await client.execute(ACCOUNT, {"number": "66200000000"})
    assert foreign == missing == anonymous == {"account": None}
    own = await client.execute(ACCOUNT, {"number": "66200000001"}, token=petr)
    assert own["account"]["holderName"] == "Петров Пётр Петрович"


async def test_statements_default_to_the_last_six_periods_newest_first(client, ivan):
    data = await client.execute(STATEMENTS, {"number": "66200000000"}, token=ivan)
    periods = [s["period"] for s in data["account"]["statements"]]
    assert len(periods) == 6
    assert periods == sorted(periods, reverse=True)
    latest = (
        await models.Statement.filter(account__number="66200000000").order_by("-period").first()
    )
    assert periods[0] == latest.period.isoformat()


async def test_statement_of_a_given_period_and_a_period_without_one(client, ivan):
    latest = (
        await models.Statement.filter(account__number="66200000000").order_by("-period").first()
    )
    data = await client.execute(
        ACCOUNT, {"number": "66200000000", "period": latest.period.isoformat()}, token=ivan
    )
    assert data["account"]["statement"]["totalToPay"] == "272.09"
    data = await client.execute(
        ACCOUNT, {"number": "66200000000", "period": "2001-01-01"}, token=ivan
    )
    assert data["account"]["statement"] is None


async def test_statements_in_a_range(client, ivan):
    rows = await models.Statement.filter(account__number="66200000000").order_by("period")
    first, third = rows[0].period, rows[2].period
    data = await client.execute(
        STATEMENTS,
        {"number": "66200000000", "from": first.isoformat(), "to": third.isoformat()},
        token=ivan,
    )
    assert [s["period"] for s in data["account"]["statements"]] == [
        r.period.isoformat() for r in reversed(rows[:3])
    ]


async def test_statements_with_one_end_of_the_range_span_six_periods(client, ivan):
    rows = await models.Statement.filter(account__number="66200000000").order_by("period")
    from_third = await client.execute(
        STATEMENTS,
        {"number": "66200000000", "from": (rows[2].period + timedelta(days=14)).isoformat()},
        token=ivan,
    )
    to_fourth = await client.execute(
        STATEMENTS,
        {"number": "66200000000", "to": (rows[3].period + timedelta(days=9)).isoformat()},
        token=ivan,
    )

    assert [s["period"] for s in from_third["account"]["statements"]] == [
        r.period.isoformat() for r in reversed(rows[2:])
    ]
    assert [s["period"] for s in to_fourth["account"]["statements"]] == [
        r.period.isoformat() for r in reversed(rows[:4])
    ]


@pytest.mark.parametrize(
    ("from_", "to", "field"),
    [("2026-06-01", "2026-01-01", "from"), ("2025-01-01", "2025-12-01", "to")],
)
async def test_statements_refuse_reversed_and_too_long_ranges(client, ivan, from_, to, field):
    body = await client.post(
        STATEMENTS, {"number": "66200000000", "from": from_, "to": to}, token=ivan
    )
    [error] = body["errors"]
    assert error["extensions"] == {
        "code": "INVALID_INPUT",
        "field": field,
        "classification": "BAD_USER_INPUT",
    }
    assert error["message"]


async def test_malformed_query_is_a_clear_error_not_a_server_error(client):
    response = await client.http.post("/graphql", json={"query": "{ account(number: ) }"})
    assert response.status == 200  # application/json answers carry errors with status 200
    body = await response.json()
    assert body["data"] is None
    assert "Syntax Error" in body["errors"][0]["message"]


async def test_healthz_reports_the_database(client):
    response = await client.http.get("/healthz")
    assert response.status == 200
    body = await response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"


async def test_an_impossible_account_number_is_simply_not_found(client, ivan):
    # Found by fuzzing: longer than the column, the ORM refused the filter with an exception.
    data = await client.execute(ACCOUNT, {"number": "6" * 25}, token=ivan)
    assert data == {"account": None}
