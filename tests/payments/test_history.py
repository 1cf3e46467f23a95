"""Account.payments: money received from every channel, newest first, cursor pagination."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import models
from tests.payments.flows import IVAN_ACCOUNT, create, send_callback

HISTORY = """
query History($number: String!, $first: Int, $after: String, $from: Date, $to: Date) {
  account(number: $number) {
    payments(first: $first, after: $after, from: $from, to: $to) {
      edges { cursor node { id status amount channel paidAt createdAt } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}
"""


async def history(client, token, **variables):
    body = await client.post(HISTORY, {"number": IVAN_ACCOUNT, **variables}, token=token)
    return body


async def test_offline_payments_are_paged_newest_first(client, ivan):
    seen, after = [], None
    pages = 0
    while True:
        body = await history(client, ivan, first=2, after=after)
        connection = body["data"]["account"]["payments"]
        seen += [edge["node"] for edge in connection["edges"]]
        pages += 1
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
        assert connection["edges"][-1]["cursor"] == after

    assert pages == 3 and len(seen) == 5
    assert [n["createdAt"] for n in seen] == sorted((n["createdAt"] for n in seen), reverse=True)
    assert {n["channel"] for n in seen} == {"ПАО Сбербанк", "Касса АО «НТЭСК»"}
    assert all(n["status"] == "SUCCEEDED" for n in seen)
    expected = await models.Payment.filter(provider="offline").count()
    assert len({n["id"] for n in seen}) == expected


async def test_paid_cabinet_payment_appears_first_and_pending_does_not(client, ivan):
    paid = await create(client, ivan, idempotencyKey="paid")
    await create(client, ivan, idempotencyKey="pending")
    await send_callback(client, paid["id"], "CONFIRMED")

    body = await history(client, ivan, first=3)

    nodes = [e["node"] for e in body["data"]["account"]["payments"]["edges"]]
    assert nodes[0]["id"] == paid["id"] and nodes[0]["channel"] == "Личный кабинет"
    assert all(n["status"] == "SUCCEEDED" for n in nodes)


async def test_history_filters_by_days(client, ivan):
    rows = await models.Payment.filter(provider="offline").order_by("-created_at")
    day = rows[1].created_at.date()

    body = await history(client, ivan, **{"from": day.isoformat(), "to": day.isoformat()})

    nodes = [e["node"] for e in body["data"]["account"]["payments"]["edges"]]
    assert [n["id"] for n in nodes] == [str(rows[1].id)]


async def test_bad_cursor_and_page_size_are_errors(client, ivan):
    bad = await history(client, ivan, after="garbage")
    huge = await history(client, ivan, first=1000)
    backwards = await history(
        client, ivan, **{"from": date(2025, 5, 1).isoformat(), "to": "2025-04-01"}
    )

    for body, field in ((bad, "after"), (huge, "first"), (backwards, "from")):
        extensions = body["errors"][0]["extensions"]
        assert (extensions["code"], extensions["field"]) == ("INVALID_INPUT", field)


async def test_foreign_account_history_is_null(client, petr):
    body = await history(client, petr)

    assert body["data"]["account"] is None


async def test_days_are_the_retailers_calendar_days_at_both_ends(client, ivan):
    """A payment at 20:00 UTC on 28 February is 01:00 on 1 March in Yekaterinburg (UTC+5): it
    belongs to 1 March, not to 28 February; one at 18:59 UTC on 31 March is 23:59 on 31 March.
    Stored times are UTC: the bounds must be compared as moments, not as text in two offsets."""
    row = (await models.Payment.filter(provider="offline").order_by("-created_at"))[0]
    moments = {
        "early": datetime(2026, 2, 28, 20, 0, tzinfo=UTC),  # 1 March, 01:00 local
        "late": datetime(2026, 3, 31, 18, 59, tzinfo=UTC),  # 31 March, 23:59 local
        "before": datetime(2026, 2, 28, 18, 59, tzinfo=UTC),  # 28 February, 23:59 local
        "after": datetime(2026, 3, 31, 19, 0, tzinfo=UTC),  # 1 April, 00:00 local
    }
    ids = {}
    for name, moment in moments.items():
        payment = await models.Payment.create(
            account_id=row.account_id,
            user_id=None,
            provider="offline",
            method=row.method,
            status=models.PaymentStatus.SUCCEEDED,
            amount=Decimal("10.00"),
            channel=row.channel,
            external_id=f"boundary-{name}",
            created_at=moment,
            paid_at=moment,
        )
        ids[name] = str(payment.id)

    body = await history(client, ivan, first=50, **{"from": "2026-03-01", "to": "2026-03-31"})

    shown = {e["node"]["id"] for e in body["data"]["account"]["payments"]["edges"]}
    assert {ids["early"], ids["late"]} <= shown
    assert not {ids["before"], ids["after"]} & shown
