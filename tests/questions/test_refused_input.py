"""askQuestion's input rules: a topic, 10 to 4000 characters of text after trimming, no control
characters; refused input stores, queues, counts and spends nothing."""

from __future__ import annotations

import io
import json

import pytest

import models
from tests.captchas import challenge
from tests.questions.conftest import ASK, ask, error_codes, question_input

TEN = "Ровно10сим"


async def assert_nothing_kept() -> None:
    assert await models.Question.all().count() == 0
    assert await models.OutgoingMessage.all().count() == 0
    assert await models.RateCounter.filter(key__startswith="question:").count() == 0


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "REQUIRED"),
        (" \n\t \r\n ", "REQUIRED"),
        ("Коротко.", "INVALID_INPUT"),
        ("  " + TEN[:-1] + "  ", "INVALID_INPUT"),
        ("я" * 4001, "INVALID_INPUT"),
        ("Вопрос с нулевым\x00 символом внутри", "INVALID_INPUT"),
        ("Вопрос со звонком\x07 внутри текста", "INVALID_INPUT"),
        ("Вопрос с escape\x1b[31m последовательностью", "INVALID_INPUT"),
        ("Вопрос с DEL\x7f символом внутри", "INVALID_INPUT"),
        ("Переворот \u202eтекста справа налево", "INVALID_INPUT"),
    ],
    ids=[
        "empty",
        "blank",
        "short",
        "short-after-trim",
        "4001",
        "nul",
        "bell",
        "escape",
        "del",
        "bidi",
    ],
)
async def test_bad_text_is_refused_and_nothing_is_kept(client, text, code):
    payload = await ask(client, text=text)

    assert error_codes(payload) == [(code, "input.text")]
    assert payload["question"] is None
    await assert_nothing_kept()


async def test_a_lone_surrogate_is_refused_before_any_work(client):
    # JSON may spell one (\ud800); the request body is refused as malformed (400), never a
    # 500 from the database's encoding.
    text = "Вопрос с одиноким суррогатом \ud800 внутри"
    body = json.dumps({"query": ASK, "variables": {"input": question_input(text=text)}})
    assert "\\ud800" in body
    response = await client.http.post(
        "/graphql", data=body, headers={"Content-Type": "application/json"}
    )

    assert response.status in (200, 400)
    if response.status == 200:
        body = await response.json()
        assert error_codes(body["data"]["askQuestion"]) == [("INVALID_INPUT", "input.text")]
    await assert_nothing_kept()


@pytest.mark.parametrize("text", [TEN, "я" * 4000, "  " + "ё" * 4000 + "\n\n"])
async def test_text_at_the_bounds_is_taken_trimmed(client, text):
    payload = await ask(client, text=text)

    assert payload["errors"] == []
    assert (await models.Question.get()).text == text.strip()


async def test_line_breaks_and_tabs_are_kept_crlf_becomes_lf(client):
    payload = await ask(client, text="Первая строка\r\nвторая\tс табуляцией\rтретья")

    assert payload["errors"] == []
    assert (await models.Question.get()).text == "Первая строка\nвторая\tс табуляцией\nтретья"


async def test_missing_topic_is_required(client):
    payload = await ask(client, topic=None)

    assert error_codes(payload) == [("REQUIRED", "input.topic")]
    await assert_nothing_kept()


async def test_unknown_topic_is_a_graphql_error_not_a_crash(client):
    body = await client.post(ASK, {"input": question_input(topic="SPAM")})

    assert body["errors"] and body.get("data") is None
    await assert_nothing_kept()


@pytest.mark.parametrize(("chars", "status"), [(400_000, 200), (600_000, 413)])
async def test_hostile_sizes_are_refused_cleanly(client, chars, status):
    # 400,000 Cyrillic letters are 800 KB of UTF-8: read, then INVALID_INPUT; 600,000 are over
    # LK_MAX_BODY_BYTES (1 MiB): 413 before any work.
    body = json.dumps(
        {"query": ASK, "variables": {"input": question_input(text="я" * chars)}},
        ensure_ascii=False,
    ).encode()
    response = await client.http.post(
        "/graphql", data=io.BytesIO(body), headers={"Content-Type": "application/json"}
    )

    assert response.status == status
    if status == 200:
        answer = await response.json()
        assert error_codes(answer["data"]["askQuestion"]) == [("INVALID_INPUT", "input.text")]
    await assert_nothing_kept()


async def test_every_input_error_is_answered_together(make_client):
    client = await make_client(captcha="enabled")
    code = await challenge("HHHHH")

    payload = await ask(
        client,
        topic=None,
        text="коротко",
        email="nope",
        captchaId=code,
        captchaAnswer="HHHHH",
    )

    assert error_codes(payload) == [
        ("INVALID_INPUT", "input.email"),
        ("INVALID_INPUT", "input.text"),
        ("REQUIRED", "input.topic"),
    ]
    await assert_nothing_kept()
    # The code was not spent on a form with typos.
    assert await models.CaptchaChallenge.filter(used_at__isnull=False).count() == 0
