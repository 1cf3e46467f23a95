"""The payments and readings histories (Relay connections over keyset pages) answered by
PostgreSQL's JSON: the same bytes as graphql-core's and the plan's, page after page through the
cursors, with day ranges, the meter kind, aliases, __typename, an empty page; arguments the
resolver refuses (a forged cursor, a page too large, a reversed range) are answered by
graphql-core with its error. On SQLite the plan answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

import models
from tests.payments.flows import IVAN_ACCOUNT
from tests.readpath.test_sql_reads import same_bytes

pytestmark = pytest.mark.filterwarnings(
    "ignore:Exception ignored in. <coroutine object GraphQLCoreConverter"
    ":pytest.PytestUnraisableExceptionWarning"
)

PAYMENTS = """query P($number: String!, $first: Int, $after: String, $from: Date, $to: Date) {
  account(number: $number) { number
    payments(first: $first, after: $after, from: $from, to: $to) {
      __typename
      edges { cursor node { __typename id method status amount channel receiptEmail createdAt
                            paidAt confirmationUrl sbpPayload failureReason refundedAmount
                            refundedAt } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor __typename } } } }"""

READINGS = """query R($number: String!, $first: Int, $after: String, $from: Date, $to: Date,
                      $kind: MeterKind) {
  account(number: $number) {
    readings(first: $first, after: $after, from: $from, to: $to, kind: $kind) {
      edges { cursor node { id meterSerialNumber zone value consumption source status
                            rejectionReason takenAt period } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }"""


async def _more_payments(count: int) -> None:
    """Succeeded payments at moments that share a second, microseconds or not, and one of a
    status the history leaves out."""
    account = await models.Account.get(number=IVAN_ACCOUNT)
    base = datetime(2026, 2, 28, 20, 0, tzinfo=UTC)  # 1 March, 01:00 in Yekaterinburg
    for index in range(count):
        moment = base + timedelta(days=index // 3, microseconds=(index % 3) * 250_000 * (index % 2))
        await models.Payment.create(
            account=account,
            provider="offline",
            status=models.PaymentStatus.SUCCEEDED if index % 7 else models.PaymentStatus.REFUNDED,
            amount=Decimal("100.5") + index,
            refunded_amount=Decimal(index % 2),
            channel='Касса «Ёж» "1"',
            external_id=f"page-{index}",
            created_at=moment,
            paid_at=moment if index % 4 else None,
        )
    await models.Payment.create(
        account=account, provider="offline", status=models.PaymentStatus.FAILED,
        amount=Decimal(1), channel="x", external_id="page-failed", created_at=base,
    )  # fmt: skip


async def _walk(client, token, query, connection, variables):
    """Every page through the cursors, each answered alike by the three executors."""
    seen, after = [], None
    while True:
        body = await same_bytes(client, query, token, {**variables, "after": after})
        page = body["data"]["account"][connection]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return seen
        after = page["pageInfo"]["endCursor"]


async def test_payments_page_by_page(client, ivan):
    await _more_payments(11)

    seen = await _walk(client, ivan, PAYMENTS, "payments", {"number": IVAN_ACCOUNT, "first": 2})

    assert (
        len(seen)
        == len(set(seen))
        == await models.Payment.filter(
            status__in=[models.PaymentStatus.SUCCEEDED, models.PaymentStatus.REFUNDED]
        ).count()
    )


async def test_payments_of_some_days_and_an_empty_page(client, ivan):
    await _more_payments(6)
    days = {"number": IVAN_ACCOUNT, "from": "2026-03-01", "to": "2026-03-01", "first": 5}

    body = await same_bytes(client, PAYMENTS, ivan, days)
    empty = await same_bytes(
        client, PAYMENTS, ivan, {**days, "from": "2001-01-01", "to": "2001-01-02"}
    )

    assert len(body["data"]["account"]["payments"]["edges"]) == 3
    page = empty["data"]["account"]["payments"]
    assert page["edges"] == [] and page["pageInfo"]["startCursor"] is None


async def test_readings_page_by_page_and_by_kind(client, ivan):
    variables = {"number": IVAN_ACCOUNT, "first": 3}

    seen = await _walk(client, ivan, READINGS, "readings", variables)
    individual = await _walk(
        client, ivan, READINGS, "readings", {**variables, "kind": "INDIVIDUAL"}
    )
    common = await same_bytes(client, READINGS, ivan, {**variables, "kind": "COMMON"})

    assert (
        len(seen)
        == len(set(seen))
        == await models.Reading.filter(register__meter__account__number=IVAN_ACCOUNT).count()
    )
    assert set(individual) <= set(seen)
    commons = await models.Reading.filter(
        register__meter__account__number=IVAN_ACCOUNT, register__meter__kind="COMMON"
    ).count()
    assert len(common["data"]["account"]["readings"]["edges"]) == min(commons, 3)
    assert len(individual) + commons == len(seen)


async def test_aliases_and_literal_arguments(client, ivan):
    text = f"""{{ a: account(number: "{IVAN_ACCOUNT}") {{
        last: payments(first: 1) {{ e: edges {{ c: cursor n: node {{ i: id a: amount }} }}
                                    p: pageInfo {{ n: hasNextPage }} }}
        few: readings(first: 2, from: "2001-01-01") {{ pageInfo {{ endCursor }}
                                                      edges {{ node {{ value }} }} }} }} }}"""

    body = await same_bytes(client, text, ivan)

    assert list(body["data"]["a"]) == ["last", "few"]


@pytest.mark.parametrize(
    "arguments",
    [
        {"after": "garbage"},
        {"first": 1000},
        {"first": 0},
        {"from": "2026-03-02", "to": "2026-03-01"},
    ],
)
async def test_refused_arguments_are_graphql_cores_errors(client, ivan, arguments):
    variables = {"number": IVAN_ACCOUNT, "first": 2, **arguments}

    body = await same_bytes(client, PAYMENTS, ivan, variables, by_sql=False)

    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
