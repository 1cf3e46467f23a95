"""Structured logs: the scrubber, the JSON lines, and the request log line of the real app."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from infra.logs import make_handler, scrub
from tests.graphql import GraphQLClient


@pytest.mark.parametrize(
    ("text", "gone", "kept"),
    [
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", "eyJhbGci", "Bearer"),
        ("header Authorization=ApiKey lk_live_5f2b9c1e", "lk_live_5f2b9c1e", "ApiKey"),
        ("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl in url", "eyJzdWIi", "in url"),
        ('{"login": "Ivan", "password": "Ivan12345"}', "Ivan12345", '"login": "Ivan"'),
        ("password=Ivan12345&login=Ivan", "Ivan12345", "login=Ivan"),
        ("{'refreshToken': 'r3fr3sh-abc'}", "r3fr3sh-abc", "refreshToken"),
        ("code=4821 sent", "4821", "sent"),
        ("captchaAnswer: 7xk2q", "7xk2q", "captchaAnswer"),
        ("card 4111 1111 1111 1111 charged", "4111 1111", "************1111"),
        ("card 5500-0000-0000-0004", "5500-0000", "************0004"),
        ("Pan=4300000000000777 ok", "4300000000000777", "ok"),
        ("phone +7 999 999 99 99 asked", "999 999", "+7******99"),
        ("phone +79991234567", "9991234567", "+7******67"),
        ("phone 8 (912) 345-67-89", "345-67", "+7******89"),
        ("mail ivanov@ivan.ru bounced", "ivanov@", "i***@ivan.ru"),
        ("Код для регистрации в личном кабинете: 4821. Никому", "4821", "Никому"),
        ("Не доставлено: ваш код 482193", "482193", "ваш код"),
        ("пароль: Ivan12345 неверен", "Ivan12345", "неверен"),
    ],
)
def test_scrub_removes_secrets_and_masks_contacts(text: str, gone: str, kept: str) -> None:
    scrubbed = scrub(text)

    assert gone not in scrubbed
    assert kept in scrubbed


@pytest.mark.parametrize(
    "text",
    [
        "account 66200000000 statement 272.09",
        "PersonalAcc=40702810138250123017 BIC=044525225",
        "Pan=430000******0777 masked already",
        "ErrorCode: INVALID_CODE at readings.1.value",
        "order 1700000000000 created",  # 13 digits, not a valid card number (Luhn)
    ],
)
def test_scrub_leaves_ordinary_text_alone(text: str) -> None:
    assert scrub(text) == text


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """What the app's loggers write through the production handler (scrubbed JSON lines)."""
    stream = io.StringIO()
    handler = make_handler(stream)
    logger = logging.getLogger("lk")
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


def records(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_line_carries_extras_and_scrubbed_traceback(log_lines: io.StringIO) -> None:
    try:
        raise RuntimeError("login failed for ivanov@ivan.ru with password=Ivan12345")
    except RuntimeError:
        logging.getLogger("lk.test").exception("failed for +7 999 999 99 99", extra={"n": 3})

    [entry] = records(log_lines)
    assert entry["level"] == "ERROR" and entry["logger"] == "lk.test" and entry["n"] == 3
    assert entry["message"] == "failed for +7******99"
    assert "RuntimeError" in entry["exc"]
    assert "Ivan12345" not in entry["exc"] and "ivanov@" not in entry["exc"]


LOGIN = """
mutation Login($login: String!, $password: String!) {
  login(login: $login, password: $password) { accessToken errors { code } }
}
"""


async def test_request_log_line_holds_no_secrets(
    client: GraphQLClient, log_lines: io.StringIO
) -> None:
    token = await client.login("Ivan", "Ivan12345")
    await client.post("{ me { login email phone } }", token=token)
    query = (
        "/graphql?query=query($p:String!){me{login}}&variables=%7B%22p%22%3A%22%2B79999999999%22%7D"
    )
    await client.http.get(query, headers={"X-Request-Id": "req-42"})

    text = log_lines.getvalue()
    lines = records(log_lines)
    access = [entry for entry in lines if entry["logger"] == "lk.access"]
    assert len(access) == 3
    assert {entry["route"] for entry in access} == {"/graphql"}
    assert access[-1]["request_id"] == "req-42"
    assert access[-1]["status"] == 200 and access[-1]["method"] == "GET"
    assert all(isinstance(entry["duration_ms"], float) for entry in access)
    for secret in ("Ivan12345", token, token[:20], "79999999999", "variables", "ivanov@"):
        assert secret not in text


async def test_request_id_is_answered(client: GraphQLClient) -> None:
    given = await client.http.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"X-Request-Id": "abc-1"}
    )
    made = await client.http.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"X-Request-Id": "bad id <script>"}
    )

    assert given.headers["X-Request-Id"] == "abc-1"
    assert len(made.headers["X-Request-Id"]) == 32


async def test_unexpected_error_log_line_has_the_error_id_and_request_id(
    log_lines: io.StringIO,
) -> None:
    from tests.platform.test_production_safety import schema

    result = await schema(expose_errors=False).execute("{ broken }")

    [entry] = [e for e in records(log_lines) if e["logger"] == "lk.graphql"]
    assert entry["error_id"] == result.errors[0].extensions["errorId"]
    assert "10.0.0.5" in entry["exc"]  # the cause is in the log, not in the answer
