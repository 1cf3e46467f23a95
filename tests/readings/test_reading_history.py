"""Account.readings: every source, newest first, with status and consumption, as a Relay
connection with opaque cursors; filters and page size validation."""

from __future__ import annotations

from datetime import timedelta

import pytest

import models
from services import periods
from tests.readings.documents import IVAN_ACCOUNT, PETR_ACCOUNT, SUBMIT, day_night, meter_id

HISTORY = """
query History($number: String!, $kind: MeterKind, $from: Date, $to: Date, $first: Int,
              $after: String) {
  account(number: $number) {
    readings(kind: $kind, from: $from, to: $to, first: $first, after: $after) {
      edges {
        cursor
        node { id meterSerialNumber zone value consumption source status takenAt period }
      }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}
"""


async def history(client, token, **variables):
    data = await client.execute(HISTORY, {"number": IVAN_ACCOUNT, **variables}, token=token)
    return data["account"]["readings"]


async def all_pages(client, token, first, **variables):
    nodes, after, pages = [], None, 0
    while True:
        page = await history(client, token, first=first, after=after, **variables)
        nodes += [e["node"] for e in page["edges"]]
        pages += 1
        assert page["pageInfo"]["hasPreviousPage"] == (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            return nodes, pages
        after = page["pageInfo"]["endCursor"]
        assert after == page["edges"][-1]["cursor"]


async def test_reading_history_pages_through_every_reading_newest_first(client, ivan):
    nodes, pages = await all_pages(client, ivan, first=5)

    assert pages == 3
    assert len(nodes) == 12 == len({n["id"] for n in nodes})
    taken = [n["takenAt"] for n in nodes]
    assert taken == sorted(taken, reverse=True)
    assert {n["meterSerialNumber"] for n in nodes} == {"937060"}
    # The on-site reading that starts this period, measured from the month before.
    assert [(n["zone"], n["value"], n["consumption"], n["source"]) for n in nodes[:2]] == [
        ("NIGHT", "5017", "16", "ONSITE"),
        ("DAY", "4938", "19", "ONSITE"),
    ]
    # The oldest readings have nothing before them.
    assert [n["consumption"] for n in nodes[-2:]] == [None, None]
    assert {n["status"] for n in nodes} == {"ACCEPTED"}


async def test_reading_history_shows_new_and_rejected_readings_with_their_status(client, ivan):
    meter = await meter_id(client, ivan)
    await client.execute(
        SUBMIT, {"number": IVAN_ACCOUNT, "readings": day_night(meter, 4940, 5020)}, token=ivan
    )
    oldest = await models.Reading.filter(register__zone="DAY").order_by("period").first()
    await models.Reading.filter(id=oldest.id).update(status=models.ReadingStatus.REJECTED)

    nodes, _ = await all_pages(client, ivan, first=100)

    assert [(n["value"], n["consumption"], n["source"], n["status"]) for n in nodes[:2]] == [
        ("5020", "3", "CABINET", "PENDING"),
        ("4940", "2", "CABINET", "PENDING"),
    ]
    rejected = next(n for n in nodes if n["id"] == str(oldest.id))
    assert rejected["status"] == "REJECTED"


async def test_reading_history_filters_by_dates_and_meter_kind(client, ivan):
    period = periods.add_months(periods.current_period("Asia/Yekaterinburg"), -2)
    day = period + timedelta(days=19)

    dated = await history(client, ivan, **{"from": day.isoformat(), "to": day.isoformat()})
    common = await history(client, ivan, kind="COMMON")
    individual = await history(client, ivan, kind="INDIVIDUAL", first=100)

    assert [(e["node"]["zone"], e["node"]["period"]) for e in dated["edges"]] == [
        ("NIGHT", period.isoformat()),
        ("DAY", period.isoformat()),
    ]
    assert common["edges"] == []
    assert len(individual["edges"]) == 12


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"first": 0}, "first"),
        ({"first": 101}, "first"),
        ({"after": "not-a-cursor"}, "after"),
        ({"from": "2026-05-02", "to": "2026-05-01"}, "from"),
    ],
)
async def test_reading_history_refuses_bad_arguments(client, ivan, variables, field):
    body = await client.post(HISTORY, {"number": IVAN_ACCOUNT, **variables}, token=ivan)

    extensions = body["errors"][0]["extensions"]
    assert (extensions["code"], extensions["field"]) == ("INVALID_INPUT", field)


async def test_reading_history_of_another_users_account_is_null(client, petr):
    data = await client.execute(HISTORY, {"number": IVAN_ACCOUNT}, token=petr)
    own = await client.execute(HISTORY, {"number": PETR_ACCOUNT}, token=petr)

    assert data["account"] is None
    assert [e["node"]["source"] for e in own["account"]["readings"]["edges"]] == ["IMPORT"]


async def test_reading_history_pages_one_by_one_across_new_readings(client, ivan):
    meter = await meter_id(client, ivan)
    await client.execute(
        SUBMIT, {"number": IVAN_ACCOUNT, "readings": day_night(meter, 4940, 5020)}, token=ivan
    )

    one_by_one, pages = await all_pages(client, ivan, first=1)
    at_once, _ = await all_pages(client, ivan, first=100)

    assert pages == 14
    assert [n["id"] for n in one_by_one] == [n["id"] for n in at_once]
