"""debt: the latest bill's amounts of an account without signing in, with the security code,
masked to what a paper bill shows anyway, limited per source and per account number."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal

import pytest

import models
from server import create_app
from tests.captchas import challenge
from tests.graphql import GraphQLClient

IVAN_ACCOUNT = "66200000000"

DEBT = """
query Debt($number: String!, $captchaId: ID!, $captchaAnswer: String!) {
  debt(accountNumber: $number, captchaId: $captchaId, captchaAnswer: $captchaAnswer) {
    debt {
      holderName address period totalToPay
      lines { service { code name } toPay }
    }
    errors { code field message }
  }
}
"""


async def debt(client: GraphQLClient, number: str, captcha_id: str = "none", answer: str = "none"):
    data = await client.execute(
        DEBT, {"number": number, "captchaId": captcha_id, "captchaAnswer": answer}
    )
    return data["debt"]


async def debt_counters() -> dict[str, int]:
    rows = await models.RateCounter.filter(key__startswith="debt:")
    return {row.key.split("@")[0].rsplit(":", 1)[0]: row.count for row in rows}


@pytest.fixture
async def guarded_client(clean_database, make_settings, aiohttp_client) -> GraphQLClient:
    """The app with the security code switched on."""
    return GraphQLClient(await aiohttp_client(create_app(make_settings(captcha="enabled"))))


async def test_debt_shows_the_masked_holder_the_street_and_the_amounts_without_signing_in(
    client,
):
    latest = await models.Statement.filter(account__number=IVAN_ACCOUNT).order_by("-period").first()
    assert latest is not None

    payload = await debt(client, f" {IVAN_ACCOUNT} ")

    assert payload["errors"] == []
    found = payload["debt"]
    assert found["holderName"] == "Иванов И. И."
    assert found["address"] == "г Нижний Тагил, ул Красноармейская"
    assert found["period"] == latest.period.isoformat()
    assert found["totalToPay"] == "272.09"
    assert [line["service"]["code"] for line in found["lines"]] == [
        "ELECTRICITY",
        "ELECTRICITY_COMMON",
    ]
    assert sum(Decimal(line["toPay"]) for line in found["lines"]) == Decimal("272.09")
    text = json.dumps(payload, ensure_ascii=False)
    for secret in ("Иван Иванович", "д. 1", "кв. 1", "ivanov", "+7999"):
        assert secret not in text


async def test_debt_with_a_wrong_code_spends_it_and_looks_nothing_up(guarded_client):
    captcha_id = await challenge("k7Xq2")

    payload = await debt(guarded_client, IVAN_ACCOUNT, captcha_id, "wrong")

    assert payload["debt"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("CAPTCHA_INVALID", "captchaAnswer")
    ]
    row = await models.CaptchaChallenge.get(id=captcha_id)
    assert row.used_at is not None
    assert await debt_counters() == {}


async def test_debt_with_a_used_code_is_refused(guarded_client):
    captcha_id = await challenge("k7Xq2")
    first = await debt(guarded_client, IVAN_ACCOUNT, captcha_id, " K7XQ2 ")
    assert first["debt"]["totalToPay"] == "272.09"

    again = await debt(guarded_client, IVAN_ACCOUNT, captcha_id, "k7Xq2")

    assert again["debt"] is None
    assert [e["code"] for e in again["errors"]] == ["CAPTCHA_INVALID"]
    assert await debt_counters() == {"debt:source": 1, "debt:account": 1}


async def test_an_unknown_number_answers_like_an_account_without_statements(client, sql_queries):
    await models.Account.create(
        number="66200000999",
        holder_name="Сидоров Сидор Сидорович",
        address="г Нижний Тагил, ул Мира, д. 3",
        city="Нижний Тагил",
    )
    sql_queries.statements.clear()
    empty = await debt(client, "66200000999")
    without_statements = list(sql_queries.statements)
    sql_queries.statements.clear()
    unknown = await debt(client, "66200000998")

    assert unknown == empty
    assert empty["debt"] is None
    assert [(e["code"], e["field"]) for e in empty["errors"]] == [("NOT_FOUND", "accountNumber")]
    assert "Сидоров" not in json.dumps(empty, ensure_ascii=False)
    # The same statements, the number aside.
    assert len(sql_queries.statements) == len(without_statements)


async def test_thirty_concurrent_look_ups_of_one_account_get_its_hourly_ten(client):
    payloads = await asyncio.gather(*(debt(client, IVAN_ACCOUNT) for _ in range(30)))

    answered = [p for p in payloads if p["debt"] is not None]
    limited = [p for p in payloads if p["debt"] is None]
    assert len(answered) == 10
    assert len(limited) == 20
    assert {(e["code"], e["field"]) for p in limited for e in p["errors"]} == {
        ("RATE_LIMITED", "accountNumber")
    }
    assert all("час" in p["errors"][0]["message"] for p in limited)
    # A refused try takes nothing from the source's limit either.
    assert await debt_counters() == {"debt:source": 10, "debt:account": 10}


async def test_one_source_gets_thirty_look_ups_an_hour_of_any_numbers(client):
    numbers = [f"7720000{i:04d}" for i in range(36)]

    payloads = await asyncio.gather(*(debt(client, number) for number in numbers))

    codes = sorted(p["errors"][0]["code"] for p in payloads)
    assert codes.count("NOT_FOUND") == 30
    assert codes.count("RATE_LIMITED") == 6
    rows = await models.RateCounter.filter(key__startswith="debt:source:")
    assert [row.count for row in rows] == [30]
