"""Inputs that made 500s, INTERNAL_ERROR or dropped sockets: JSON bodies and websocket messages
that are not objects, dates far in the future or past, huge numbers, ids and cursors. Each gets
HTTP 400, a websocket close 4400, or a GraphQL error naming the input, and nothing changes."""

from __future__ import annotations

import logging

import pytest
from aiohttp import WSMsgType

import models
from services.pagination import encode_cursor
from tests.graphql import GraphQLClient

IVAN_ACCOUNT = "66200000000"
INTEGRATION = "/integration/graphql"
NOT_OBJECTS = ["123", "null", '"x"', "true", "1.5e300"]

STATEMENTS = """
query S($from: Date, $to: Date) {
  account(number: "66200000000") { statements(from: $from, to: $to) { period } }
}
"""
STATEMENT = (
    'query S($p: Date) { account(number: "66200000000") { statement(period: $p) { period } } }'
)
PAYMENTS = """
query P($from: Date, $to: Date, $after: String) {
  account(number: "66200000000") {
    payments(from: $from, to: $to, after: $after) { edges { node { id } } }
  }
}
"""
READINGS = """
query R($from: Date, $to: Date, $after: String) {
  account(number: "66200000000") {
    readings(from: $from, to: $to, after: $after) { edges { node { id } } }
  }
}
"""
DOCUMENT_URL = """
query D($kind: DocumentKind!, $from: Date, $to: Date, $period: Date) {
  documentUrl(accountNumber: "66200000000", kind: $kind, from: $from, to: $to, period: $period) {
    url errors { code field }
  }
}
"""
CREATE_PAYMENT = """
mutation C($input: CreatePaymentInput!) {
  createPayment(input: $input) { payment { id } errors { code field } }
}
"""
SUBMIT_READINGS = """
mutation S($readings: [ReadingInput!]!) {
  submitReadings(accountNumber: "66200000000", readings: $readings) { errors { code field } }
}
"""
IMPORT_READINGS = """
mutation I($items: [SiteReadingInput!]!) { importReadings(items: $items) { created refused } }
"""


class ErrorsLogged:
    """Errors logged while the test ran, but Strawberry's line per GraphQL error (the app
    silences that logger: see services.logs.configure_logging)."""

    def __init__(self, caplog) -> None:
        self.caplog = caplog

    def __eq__(self, other: object) -> bool:
        return [r.getMessage() for r in self.records()] == other

    def records(self) -> list[logging.LogRecord]:
        return [
            r
            for r in self.caplog.records
            if r.levelno >= logging.ERROR and r.name != "strawberry.execution"
        ]

    def __repr__(self) -> str:
        return repr([r.getMessage() for r in self.records()])


@pytest.fixture
def errors_logged(caplog) -> ErrorsLogged:
    caplog.set_level(logging.ERROR)
    return ErrorsLogged(caplog)


def assert_refused_cleanly(body: dict, *words: str) -> None:
    """A GraphQL error about the input: not INTERNAL_ERROR, nothing executed."""
    assert body.get("data") is None, body
    messages = " ".join(e["message"] for e in body["errors"])
    assert all(word in messages for word in words), messages
    assert all(e.get("extensions", {}).get("code") != "INTERNAL_ERROR" for e in body["errors"])


# --- bodies and messages that are not objects


@pytest.mark.parametrize("path", ["/graphql", INTEGRATION])
@pytest.mark.parametrize("body", NOT_OBJECTS)
async def test_a_json_body_that_is_not_an_object_answers_400(
    client: GraphQLClient, path: str, body: str, errors_logged
) -> None:
    response = await client.http.post(path, data=body, headers={"Content-Type": "application/json"})

    assert response.status == 400
    assert await response.text() == "The request body must be a JSON object"
    assert errors_logged == []


@pytest.mark.parametrize("path", ["/graphql", INTEGRATION])
@pytest.mark.parametrize(
    ("message", "reason"),
    [
        *((m, "WebSocket message must be a JSON object") for m in [*NOT_OBJECTS, "[]"]),
        ('{"type": "subscribe", "id": "1", "payload": 5}', "Invalid subscribe message"),
        ('{"type": "subscribe", "id": 1, "payload": {"query": 5}}', "Invalid subscribe message"),
        (
            '{"type": "subscribe", "id": "1", "payload": {"query": "{ __typename }", '
            '"variables": 5}}',
            "Invalid subscribe message",
        ),
    ],
)
async def test_a_websocket_message_that_is_not_an_object_closes_with_4400(
    client: GraphQLClient, path: str, message: str, reason: str, errors_logged
) -> None:
    ws = await client.http.ws_connect(path, protocols=["graphql-transport-ws"])
    await ws.send_json({"type": "connection_init"})
    assert (await ws.receive_json(timeout=5))["type"] == "connection_ack"

    await ws.send_str(message)
    closed = await ws.receive(timeout=5)

    assert closed.type == WSMsgType.CLOSE
    assert (closed.data, closed.extra) == (4400, reason)
    assert errors_logged == []  # no traceback


# --- dates far in the future or the past


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (STATEMENTS, {"from": "9999-12-01"}),
        (STATEMENTS, {"to": "9999-12-31"}),
        (STATEMENTS, {"from": "0001-01-01", "to": "0001-03-01"}),
        (STATEMENT, {"p": "9999-12-01"}),
        (PAYMENTS, {"to": "9999-12-31"}),
        (PAYMENTS, {"from": "0001-01-01"}),
        (READINGS, {"to": "9999-12-31"}),
        *(
            (DOCUMENT_URL, {"kind": kind, "from": "9999-11-01", "to": "9999-12-31"})
            for kind in ("PAYMENT_HISTORY", "CHARGE_HISTORY", "READING_HISTORY")
        ),
        (DOCUMENT_URL, {"kind": "PAYMENT_DOCUMENT", "period": "9999-12-01"}),
    ],
)
async def test_a_far_date_is_refused_as_a_date(
    client: GraphQLClient, ivan: str, query: str, variables: dict, errors_logged
) -> None:
    body = await client.post(query, variables, token=ivan)

    assert_refused_cleanly(body, "Date", "Dates from 1900-01-01 to 2199-12-31 only.")
    assert errors_logged == []


async def test_a_far_date_as_a_literal_is_refused_too(client: GraphQLClient, ivan: str) -> None:
    body = await client.post(
        '{ account(number: "66200000000") { statements(from: "9999-12-01") { period } } }',
        token=ivan,
    )

    assert_refused_cleanly(body, "Dates from 1900-01-01 to 2199-12-31 only.")


async def test_dates_within_the_bounds_still_answer(client: GraphQLClient, ivan: str) -> None:
    data = await client.execute(STATEMENTS, {"from": "2199-07-01", "to": "2199-12-01"}, ivan)

    assert data["account"]["statements"] == []


async def test_a_far_time_in_an_integration_import_is_refused(
    client: GraphQLClient, errors_logged
) -> None:
    from services.integration import api_keys

    key = (await api_keys.create_key(name="billing", scopes=["billing"])).secret
    item = {
        "accountNumber": "66200000001",
        "meterSerialNumber": "1120345",
        "zone": "SINGLE",
        "period": "2027-01-01",
        "value": "12150",
        "source": "ONSITE",
        "takenAt": "9999-12-31T23:59:59-12:00",
    }
    body = await GraphQLClient(client.http, path=INTEGRATION).post(
        IMPORT_READINGS, {"items": [item]}, headers={"Authorization": f"ApiKey {key}"}
    )

    assert_refused_cleanly(body, "DateTime")
    assert errors_logged == []
    assert not await models.Reading.filter(value=12150).exists()


# --- huge numbers, ids and cursors


def payment_input(amount: str) -> dict:
    return {
        "accountNumber": IVAN_ACCOUNT,
        "method": "CARD",
        "lines": [{"serviceCode": "ELECTRICITY", "amount": amount}],
        "totalConfirmed": True,
    }


@pytest.mark.parametrize(
    "amount", ["1e30", "-1e30", "1E+30", "9" * 5000, "1e400", "0." + "0" * 5000 + "1", "sNaN"]
)
async def test_a_huge_amount_is_refused_as_a_decimal(
    client: GraphQLClient, ivan: str, amount: str, errors_logged
) -> None:
    before = await models.Payment.all().count()

    body = await client.post(CREATE_PAYMENT, {"input": payment_input(amount)}, token=ivan)

    # Refused in Russian, naming the field (the customer schema reads Decimal as typed).
    assert_refused_cleanly(body, "input.lines.0.amount", "число")
    assert errors_logged == []
    assert await models.Payment.all().count() == before


async def test_a_large_but_bounded_amount_gets_the_typed_error(
    client: GraphQLClient, ivan: str
) -> None:
    before = await models.Payment.all().count()

    data = await client.execute(CREATE_PAYMENT, {"input": payment_input("1e17")}, ivan)

    assert data["createPayment"]["errors"][0]["code"] == "AMOUNT_INVALID"
    assert await models.Payment.all().count() == before


@pytest.mark.parametrize(
    "reading",
    [
        {"meterId": "9" * 5000, "zone": "DAY", "value": "5000"},
        {"meterId": "1", "zone": "DAY", "value": "1e30"},
        {"meterId": "1", "zone": "DAY", "value": "9" * 5000},
    ],
)
async def test_a_huge_meter_id_or_reading_is_refused(
    client: GraphQLClient, ivan: str, reading: dict, errors_logged
) -> None:
    before = await models.Reading.all().count()

    body = await client.post(SUBMIT_READINGS, {"readings": [reading]}, token=ivan)

    assert_refused_cleanly(body)
    assert errors_logged == []
    assert await models.Reading.all().count() == before


async def test_a_huge_id_as_a_literal_is_refused(client: GraphQLClient, ivan: str) -> None:
    body = await client.post('{ payment(id: "%s") { id } }' % ("9" * 5000), token=ivan)

    assert_refused_cleanly(body, "An ID is longer than 64 characters.")


@pytest.mark.parametrize("query", [PAYMENTS, READINGS])
@pytest.mark.parametrize(
    "cursor",
    [
        "A" * 100_000,
        encode_cursor("2026-01-01T00:00:00+00:00", "9" * 5000),
        encode_cursor("2026-01-01T00:00:00+00:00", "1" * 20),
        encode_cursor("9999-12-31T23:59:59-12:00", "1"),
        encode_cursor("0001-01-01T00:00:00+14:00", "1"),
    ],
)
async def test_an_oversized_or_forged_cursor_is_invalid_input(
    client: GraphQLClient, ivan: str, query: str, cursor: str, errors_logged
) -> None:
    body = await client.post(query, {"after": cursor}, token=ivan)

    [error] = body["errors"]
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert error["extensions"]["field"] == "after"
    assert errors_logged == []


@pytest.mark.parametrize(("variables", "status"), [("null", 200), ("123", 400), ("{}", 200)])
async def test_get_variables_keep_their_meaning(
    client: GraphQLClient, variables: str, status: int
) -> None:
    response = await client.http.get(
        "/graphql", params={"query": "{ __typename }", "variables": variables}
    )

    assert response.status == status
