"""publicMeters and submitPublicReadings: without signing in, only where a holder of the account
allows it, with the security code, revealing no personal data."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

import models
from server import create_app
from services.security import Signer
from tests.conftest import TEST_SECRET
from tests.graphql import GraphQLClient
from tests.readings.documents import (
    IVAN_ACCOUNT,
    PETR_ACCOUNT,
    PUBLIC_METERS,
    SUBMIT,
    SUBMIT_PUBLIC,
    errors_of,
    meter_id,
    reading_count,
)


def single(meter: str, value: int | str) -> list[dict]:
    return [{"meterId": meter, "zone": "SINGLE", "value": str(value)}]


async def public_meter_id(client, number: str = PETR_ACCOUNT) -> str:
    data = await client.execute(PUBLIC_METERS, {"number": number})
    return data["publicMeters"][0]["id"]


async def submit_public(client, number, readings, captcha_id="none", answer="none"):
    data = await client.execute(
        SUBMIT_PUBLIC,
        {"number": number, "readings": readings, "captchaId": captcha_id, "captchaAnswer": answer},
    )
    return data["submitPublicReadings"]


async def test_public_meters_of_an_account_whose_holder_allows_it(client):
    body = await client.post(PUBLIC_METERS, {"number": PETR_ACCOUNT})

    meters = body["data"]["publicMeters"]
    assert [(m["serialNumber"], [r["zone"] for r in m["registers"]]) for m in meters] == [
        ("1120345", ["SINGLE"])
    ]
    assert meters[0]["registers"][0]["periodStart"] == {"value": "12000"}
    text = json.dumps(body, ensure_ascii=False)
    assert "Петров" not in text and "Ленина" not in text


@pytest.mark.parametrize("number", [IVAN_ACCOUNT, "00000000000"])
async def test_public_meters_is_null_where_not_allowed_or_unknown(client, number):
    data = await client.execute(PUBLIC_METERS, {"number": number})

    assert data["publicMeters"] is None


async def test_submit_public_readings_where_the_holder_allows_it(client):
    meter = await public_meter_id(client)

    payload = await submit_public(client, PETR_ACCOUNT, single(meter, 12150))

    assert payload["errors"] == []
    assert [(r["value"], r["source"], r["status"]) for r in payload["readings"]] == [
        ("12150", "PUBLIC", "PENDING")
    ]
    row = await models.Reading.get(id=int(payload["readings"][0]["id"]))
    assert (row.source, row.user_id, int(row.value)) == ("PUBLIC", None, 12150)


async def test_submit_public_readings_applies_the_rules(client):
    meter = await public_meter_id(client)
    before = await reading_count()

    payload = await submit_public(client, PETR_ACCOUNT, single(meter, 11999))

    assert errors_of(payload) == [("readings.0.value", "READING_NOT_GREATER")]
    assert await reading_count() == before


async def test_submit_public_readings_is_refused_where_the_holder_does_not_allow_it(client, ivan):
    # Ivan does not allow readings without signing in; an unknown account answers the same.
    meter = await meter_id(client, ivan)
    before = await reading_count()
    readings = [
        {"meterId": meter, "zone": "DAY", "value": "4939"},
        {"meterId": meter, "zone": "NIGHT", "value": "5018"},
    ]

    refused = await submit_public(client, IVAN_ACCOUNT, readings)
    unknown = await submit_public(client, "00000000000", readings)

    assert errors_of(refused) == [("accountNumber", "NOT_FOUND")]
    assert refused["errors"] == unknown["errors"]
    assert await reading_count() == before


async def test_submit_public_readings_replaces_the_pending_cabinet_reading(client, petr):
    meter = await public_meter_id(client)
    cabinet = await client.execute(
        SUBMIT, {"number": PETR_ACCOUNT, "readings": single(meter, 12100)}, token=petr
    )

    public = await submit_public(client, PETR_ACCOUNT, single(meter, 12120))

    assert public["readings"][0]["id"] == cabinet["submitReadings"]["readings"][0]["id"]
    rows = await models.Reading.filter(status=models.ReadingStatus.PENDING)
    assert [(int(r.value), r.source) for r in rows] == [(12120, "PUBLIC")]


# --- the security code


@pytest.fixture
async def guarded_client(clean_database, make_settings, aiohttp_client) -> GraphQLClient:
    """The app with the security code switched on."""
    return GraphQLClient(await aiohttp_client(create_app(make_settings(captcha="enabled"))))


async def challenge(answer: str, *, expires_in: timedelta = timedelta(minutes=10)) -> str:
    row = await models.CaptchaChallenge.create(
        id=uuid.uuid4(),
        answer_hash=Signer(TEST_SECRET).digest(answer.casefold(), purpose="captcha"),
        expires_at=datetime.now(UTC) + expires_in,
    )
    return str(row.id)


async def test_submit_public_readings_with_the_right_code(guarded_client):
    meter = await public_meter_id(guarded_client)
    captcha_id = await challenge("k7Xq2")

    payload = await submit_public(
        guarded_client, PETR_ACCOUNT, single(meter, 12150), captcha_id, " K7XQ2 "
    )

    assert payload["errors"] == []
    assert (await models.CaptchaChallenge.get(id=captcha_id)).used_at is not None


async def test_submit_public_readings_with_a_wrong_code_stores_nothing(guarded_client):
    meter = await public_meter_id(guarded_client)
    captcha_id = await challenge("k7Xq2")
    before = await reading_count()

    wrong = await submit_public(guarded_client, PETR_ACCOUNT, single(meter, 12150), captcha_id, "x")
    # A challenge is spent by any attempt: the right answer afterwards is refused too.
    again = await submit_public(
        guarded_client, PETR_ACCOUNT, single(meter, 12150), captcha_id, "k7Xq2"
    )

    assert errors_of(wrong) == [("captchaAnswer", "CAPTCHA_INVALID")]
    assert errors_of(again) == [("captchaAnswer", "CAPTCHA_INVALID")]
    assert await reading_count() == before


async def test_submit_public_readings_with_a_used_or_expired_or_unknown_code(guarded_client):
    meter = await public_meter_id(guarded_client)
    used = await challenge("abc12")
    first = await submit_public(guarded_client, PETR_ACCOUNT, single(meter, 12150), used, "abc12")
    expired = await challenge("abc12", expires_in=timedelta(seconds=-1))
    before = await reading_count()

    answers = [
        await submit_public(guarded_client, PETR_ACCOUNT, single(meter, 12160), captcha, "abc12")
        for captcha in (used, expired, str(uuid.uuid4()), "not-a-uuid")
    ]

    assert first["errors"] == []
    assert [errors_of(a) for a in answers] == [[("captchaAnswer", "CAPTCHA_INVALID")]] * 4
    assert await reading_count() == before
