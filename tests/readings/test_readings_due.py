"""What is due for a meter (Meter.readingsDue, Meter.verificationDue): the period readings entered
today count for, the submission window, the meter's status for that period (sent, billing's
verdict), and how far its next verification is."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

import models
from server import create_app
from services import periods
from services.integration import api_keys
from tests.graphql import GraphQLClient
from tests.perf.test_dashboard_queries import DASHBOARD, add_accounts, dashboard_queries
from tests.readings.documents import IVAN_ACCOUNT, PETR_ACCOUNT, SUBMIT, day_night, meter_id
from tests.readings.test_public_readings import challenge
from tests.readings.test_submission_window import window_excluding_today

TIMEZONE = "Asia/Yekaterinburg"
REASON = "Показание меньше контрольного снятия"

DUE = """
query Due($number: String!) {
  account(number: $number) {
    meters {
      serialNumber
      readingsDue { period windowOpen windowOpensOn windowClosesOn status rejectionReason }
      verificationDue { date daysLeft within60Days within14Days overdue }
    }
  }
}
"""

SET_STATUSES = """
mutation Set($items: [ReadingStatusInput!]!) {
  setReadingStatuses(items: $items) { updated refused }
}
"""

LABELS = """
query { labels(enum: "ReadingsDueStatus") { value text } }
"""


def last_day(period: date) -> date:
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])


async def due_of(client: GraphQLClient, token: str, number: str = IVAN_ACCOUNT) -> dict:
    data = await client.execute(DUE, {"number": number}, token=token)
    [meter] = data["account"]["meters"]
    assert meter["serialNumber"] == "937060"
    return meter


async def submit(client: GraphQLClient, token: str) -> dict[str, str]:
    meter = await meter_id(client, token)
    data = await client.execute(
        SUBMIT, {"number": IVAN_ACCOUNT, "readings": day_night(meter, 4950, 5020)}, token=token
    )
    assert data["submitReadings"]["errors"] == []
    return {r["zone"]: r["id"] for r in data["submitReadings"]["readings"]}


async def billing_says(client: GraphQLClient, items: list[dict]) -> None:
    key = (await api_keys.create_key(name="billing", scopes=["billing"])).secret
    billing = GraphQLClient(client.http, path="/integration/graphql")
    body = await billing.post(
        SET_STATUSES, {"items": items}, headers={"Authorization": f"ApiKey {key}"}
    )
    assert body["data"]["setReadingStatuses"] == {"updated": len(items), "refused": 0}


async def test_inside_the_window_the_current_period_is_due_and_not_sent(client, ivan):
    due = (await due_of(client, ivan))["readingsDue"]

    current = periods.current_period(TIMEZONE)
    assert due == {
        "period": current.isoformat(),
        "windowOpen": True,
        "windowOpensOn": current.isoformat(),
        "windowClosesOn": last_day(current).isoformat(),
        "status": "NOT_SENT",
        "rejectionReason": None,
    }


async def test_outside_the_window_the_next_period_is_due_and_the_next_window_shown(
    clean_database, make_settings, aiohttp_client
):
    days = window_excluding_today()
    settings = make_settings(timezone=TIMEZONE, **days)
    client = GraphQLClient(await aiohttp_client(create_app(settings)))
    ivan = await client.login("Ivan", "Ivan12345")

    due = (await due_of(client, ivan))["readingsDue"]

    today = periods.local_today(TIMEZONE)
    current = periods.period_of(today)
    following = periods.add_months(current, 1)
    start, end = days["readings_window_start_day"], days["readings_window_end_day"]
    # Today is after this month's window (it closed yesterday), or on the 1st before it opens.
    window_month = following if today.day > 1 else current
    assert due["period"] == following.isoformat()
    assert due["windowOpen"] is False
    assert due["windowOpensOn"] == window_month.replace(day=start).isoformat()
    closes = window_month.replace(day=min(end, last_day(window_month).day))
    assert due["windowClosesOn"] == closes.isoformat()
    assert due["status"] == "NOT_SENT"


async def test_window_days_beyond_the_month_close_on_its_last_day(
    clean_database, make_settings, aiohttp_client
):
    settings = make_settings(
        timezone=TIMEZONE, readings_window_start_day=1, readings_window_end_day=31
    )
    client = GraphQLClient(await aiohttp_client(create_app(settings)))
    ivan = await client.login("Ivan", "Ivan12345")

    due = (await due_of(client, ivan))["readingsDue"]

    current = periods.current_period(TIMEZONE)
    assert due["windowClosesOn"] == last_day(current).isoformat()
    assert date.fromisoformat(due["windowClosesOn"]).month == current.month


async def test_after_a_cabinet_submission_the_readings_are_sent(client, ivan):
    await submit(client, ivan)

    due = (await due_of(client, ivan))["readingsDue"]

    assert due["status"] == "SENT"
    assert due["period"] == periods.current_period(TIMEZONE).isoformat()
    assert (
        await models.Reading.filter(
            period=periods.current_period(TIMEZONE), status=models.ReadingStatus.PENDING
        ).count()
        == 2
    )


async def test_billing_accepting_every_register_makes_the_readings_accepted(client, ivan):
    ids = await submit(client, ivan)
    await billing_says(client, [{"id": i, "status": "ACCEPTED"} for i in ids.values()])

    due = (await due_of(client, ivan))["readingsDue"]

    assert due["status"] == "ACCEPTED"
    assert due["rejectionReason"] is None


async def test_billing_accepting_one_register_of_two_leaves_the_readings_sent(client, ivan):
    ids = await submit(client, ivan)
    await billing_says(client, [{"id": ids["DAY"], "status": "ACCEPTED"}])

    assert (await due_of(client, ivan))["readingsDue"]["status"] == "SENT"


async def test_billing_rejecting_a_register_makes_the_readings_rejected_with_its_reason(
    client, ivan
):
    ids = await submit(client, ivan)
    await billing_says(
        client,
        [
            {"id": ids["DAY"], "status": "ACCEPTED"},
            {"id": ids["NIGHT"], "status": "REJECTED", "reason": REASON},
        ],
    )

    due = (await due_of(client, ivan))["readingsDue"]

    assert due["status"] == "REJECTED"
    assert due["rejectionReason"] == REASON
    stored = await models.Reading.get(id=int(ids["NIGHT"]))
    assert stored.status == models.ReadingStatus.REJECTED


async def test_a_reading_of_one_register_of_two_is_not_sent(client, ivan):
    register = await models.MeterRegister.get(meter__serial_number="937060", zone="DAY")
    await models.Reading.create(
        register=register,
        period=periods.current_period(TIMEZONE),
        value=Decimal(4950),
        source=models.ReadingSource.CABINET,
        status=models.ReadingStatus.ACCEPTED,
        taken_at=datetime.now(UTC),
    )

    assert (await due_of(client, ivan))["readingsDue"]["status"] == "NOT_SENT"


@pytest.mark.parametrize(
    ("days", "within_60", "within_14"),
    [(10, True, True), (30, True, False), (90, False, False), (-3, True, True)],
)
async def test_verification_due_counts_the_days_to_the_date(
    client, ivan, days, within_60, within_14
):
    when = periods.local_today(TIMEZONE) + timedelta(days=days)
    await models.Meter.filter(serial_number="937060").update(next_verification_date=when)

    verification = (await due_of(client, ivan))["verificationDue"]

    assert verification == {
        "date": when.isoformat(),
        "daysLeft": days,
        "within60Days": within_60,
        "within14Days": within_14,
        "overdue": days < 0,
    }


async def test_verification_due_is_null_without_a_date(client, ivan):
    await models.Meter.filter(serial_number="937060").update(next_verification_date=None)

    assert (await due_of(client, ivan))["verificationDue"] is None


async def test_another_users_account_answers_null(client, petr):
    data = await client.execute(DUE, {"number": IVAN_ACCOUNT}, token=petr)

    assert data["account"] is None


async def test_due_status_values_have_russian_labels(client):
    body = await client.post(LABELS)

    texts = {label["value"]: label["text"] for label in body["data"]["labels"]}
    assert set(texts) == {"NOT_SENT", "SENT", "ACCEPTED", "REJECTED"}
    assert texts["NOT_SENT"] == "Не переданы"


DASHBOARD_WITH_DUE = DASHBOARD.replace(
    "id serialNumber kind nextVerificationDate",
    "id serialNumber kind nextVerificationDate "
    "readingsDue { period status rejectionReason } verificationDue { daysLeft within60Days }",
)


async def test_the_dashboards_due_fields_cost_one_statement_whatever_the_meters(
    client, ivan, sql_queries
):
    assert DASHBOARD_WITH_DUE != DASHBOARD
    ivan_user = await models.User.get(login="Ivan")
    await add_accounts(ivan_user, range(1))
    # Both through the compiled plan (on PostgreSQL the plain dashboard would otherwise be one
    # statement built by PostgreSQL, which does not cover readingsDue).
    plain_one, _ = await dashboard_queries(client, ivan, sql_queries, "compiled")
    due_one, with_due_one = await dashboard_queries(
        client, ivan, sql_queries, "compiled", DASHBOARD_WITH_DUE
    )
    await add_accounts(ivan_user, range(1, 5))
    plain_five, _ = await dashboard_queries(client, ivan, sql_queries, "compiled")
    due_five, with_due_five = await dashboard_queries(
        client, ivan, sql_queries, "compiled", DASHBOARD_WITH_DUE
    )

    # The added accounts' meters hold accepted readings of the current period on both registers.
    meters = [m for a in with_due_five["me"]["accounts"] for m in a["meters"]]
    assert len(meters) == 1 + 2 * 5
    assert [m["readingsDue"]["status"] for m in meters[1:]] == ["ACCEPTED"] * 10
    assert with_due_one["me"]["accounts"][0]["meters"][0]["readingsDue"]["status"] == "NOT_SENT"
    assert due_one == plain_one + 1
    assert due_five == plain_five + 1


PUBLIC_DUE = """
query PublicDue($number: String!, $captchaId: ID!, $captchaAnswer: String!) {
  publicMeters(accountNumber: $number, captchaId: $captchaId, captchaAnswer: $captchaAnswer) {
    serialNumber readingsDue { status } verificationDue { daysLeft }
  }
}
"""


async def test_public_meters_show_nothing_due(client):
    variables = {"number": PETR_ACCOUNT, "captchaAnswer": "abcde"}
    body = await client.post(PUBLIC_DUE, {**variables, "captchaId": await challenge("abcde")})

    [meter] = body["data"]["publicMeters"]
    assert meter == {"serialNumber": "…345", "readingsDue": None, "verificationDue": None}
    assert (
        await models.Meter.filter(serial_number="1120345")
        .exclude(next_verification_date=None)
        .exists()
    )
