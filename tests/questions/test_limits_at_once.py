"""askQuestion's limits under 30 requests sent at once over HTTP: per source (IP address) an
hour, per signed-in user a day, per contact a day; exactly the limit passes, and a refused try
takes nothing from the other limits."""

from __future__ import annotations

import asyncio

import models
from tests.questions.conftest import ASK, error_codes, question_counters, question_input

AT_ONCE = 30


async def ask_at_once(client, inputs, token=None) -> list[dict]:
    bodies = await asyncio.gather(
        *(client.post(ASK, {"input": value}, token=token) for value in inputs)
    )
    assert all(not body.get("errors") for body in bodies), bodies
    return [body["data"]["askQuestion"] for body in bodies]


def outcome(payloads: list[dict]) -> tuple[int, set]:
    ok = sum(1 for p in payloads if not p["errors"])
    refused = {tuple(c) for p in payloads if p["errors"] for c in error_codes(p)}
    return ok, refused


async def test_per_source_limit_holds_at_once(make_client):
    client = await make_client(questions_per_source_hour=10)
    inputs = [question_input(email=f"guest{i}@example.ru") for i in range(AT_ONCE)]

    ok, refused = outcome(await ask_at_once(client, inputs))

    assert ok == 10
    assert refused == {("RATE_LIMITED", "input.text")}
    assert await models.Question.all().count() == 10
    assert await models.OutgoingMessage.all().count() == 10
    counters = await question_counters()
    assert counters["question:source:127.0.0.1"] == 10
    # Each refused try took nothing from its contact's limit.
    contact_counts = [v for k, v in counters.items() if k.startswith("question:contact:")]
    assert sorted(contact_counts) == [1] * 10


async def test_per_contact_limit_holds_at_once(make_client):
    client = await make_client(questions_per_contact_day=5, questions_per_source_hour=100)
    inputs = [question_input(email="Same@Example.ru") for _ in range(AT_ONCE // 2)] + [
        question_input(email="same@example.ru") for _ in range(AT_ONCE // 2)
    ]

    ok, refused = outcome(await ask_at_once(client, inputs))

    assert ok == 5
    assert refused == {("RATE_LIMITED", "input.email")}
    assert await models.Question.all().count() == 5
    assert (await question_counters())["question:source:127.0.0.1"] == 5


async def test_per_user_limit_holds_at_once(make_client):
    client = await make_client(questions_per_user_day=3, questions_per_source_hour=100)
    token = await client.login("Ivan", "Ivan12345")
    inputs = [question_input(email=None) for _ in range(AT_ONCE)]

    ok, refused = outcome(await ask_at_once(client, inputs, token=token))

    assert ok == 3
    assert refused == {("RATE_LIMITED", "input.text")}
    assert await models.Question.filter(user__login="Ivan").count() == 3
    other = await client.login("Petr", "Petr12345")
    [petr] = await ask_at_once(client, [question_input(email=None)], token=other)
    assert petr["errors"] == []


async def test_numbers_are_unique_at_once(make_client):
    client = await make_client(questions_per_source_hour=100, questions_per_contact_day=100)

    payloads = await ask_at_once(client, [question_input() for _ in range(AT_ONCE)])

    numbers = [p["question"]["number"] for p in payloads]
    assert len(set(numbers)) == AT_ONCE
    assert await models.Question.filter(number__isnull=True).count() == 0
