"""Billing's reason for rejecting a reading reaches the customer: Reading.rejectionReason in the
API (history and the meters screen) and the status column of the readings PDF."""

from __future__ import annotations

from datetime import timedelta

import pytest

import models
from services import periods
from services.integration import api_keys
from tests.documents.pdf_client import TIMEZONE, document_url, fetch_pdf, iso, text_of
from tests.graphql import GraphQLClient
from tests.readings.documents import IVAN_ACCOUNT, SUBMIT, day_night, meter_id

REASON = "Показание меньше контрольного снятия"

SET_STATUSES = """
mutation Set($items: [ReadingStatusInput!]!) {
  setReadingStatuses(items: $items) { updated refused }
}
"""

HISTORY = """
query History($number: String!) {
  account(number: $number) {
    readings(first: 3) { edges { node { zone value status rejectionReason } } }
    meters { registers { zone current { value status rejectionReason } } }
  }
}
"""


@pytest.fixture
async def judged(client, ivan) -> dict[str, int]:
    """Ivan's day and night readings of this period, billing's verdict on them: day accepted,
    night rejected with a reason (through the integration endpoint, as billing sends it)."""
    meter = await meter_id(client, ivan)
    data = await client.execute(
        SUBMIT, {"number": IVAN_ACCOUNT, "readings": day_night(meter, 4950, 5020)}, token=ivan
    )
    ids = {r["zone"]: r["id"] for r in data["submitReadings"]["readings"]}
    key = (await api_keys.create_key(name="billing", scopes=["billing"])).secret
    billing = GraphQLClient(client.http, path="/integration/graphql")
    body = await billing.post(
        SET_STATUSES,
        {
            "items": [
                {"id": ids["DAY"], "status": "ACCEPTED"},
                {"id": ids["NIGHT"], "status": "REJECTED", "reason": REASON},
            ]
        },
        headers={"Authorization": f"ApiKey {key}"},
    )
    assert body["data"]["setReadingStatuses"] == {"updated": 2, "refused": 0}
    return {zone: int(value) for zone, value in ids.items()}


async def test_rejection_reason_is_in_the_history_and_on_the_meters_screen(client, ivan, judged):
    data = await client.execute(HISTORY, {"number": IVAN_ACCOUNT}, token=ivan)

    nodes = [e["node"] for e in data["account"]["readings"]["edges"][:2]]
    assert {(n["zone"], n["status"], n["rejectionReason"]) for n in nodes} == {
        ("DAY", "ACCEPTED", None),
        ("NIGHT", "REJECTED", REASON),
    }
    current = {r["zone"]: r["current"] for r in data["account"]["meters"][0]["registers"]}
    assert current["NIGHT"] == {"value": "5020", "status": "REJECTED", "rejectionReason": REASON}
    assert current["DAY"]["rejectionReason"] is None
    stored = await models.Reading.get(id=judged["NIGHT"])
    assert stored.rejection_reason == REASON


async def test_rejection_reason_is_null_unless_rejected(client, ivan, judged):
    # A reason left on a reading billing later accepted is not shown as a rejection.
    await models.Reading.filter(id=judged["DAY"]).update(rejection_reason="устаревшая причина")

    data = await client.execute(HISTORY, {"number": IVAN_ACCOUNT}, token=ivan)

    nodes = {e["node"]["zone"]: e["node"] for e in data["account"]["readings"]["edges"][:2]}
    assert nodes["DAY"]["rejectionReason"] is None


async def test_rejection_reason_is_in_the_readings_pdf(client, ivan, judged):
    today = periods.local_today(TIMEZONE)

    link = await document_url(
        client,
        ivan,
        kind="READING_HISTORY",
        **{"from": iso(today - timedelta(days=1))},
        to=iso(today),
    )

    text = text_of(await fetch_pdf(client, link["url"]))
    assert f"937060 Ночь 5020 3 Личный кабинет Отклонено: {REASON}" in text
    assert "937060 День 4950 12 Личный кабинет Принято" in text
