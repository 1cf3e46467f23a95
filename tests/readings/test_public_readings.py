"""publicMeters and submitPublicReadings: without signing in, only where a holder of the account
allows it, with the security code, revealing no personal data."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from tortoise import Tortoise
from tortoise.transactions import in_transaction

import models
from server import create_app
from services import periods
from tests.captchas import challenge
from tests.graphql import GraphQLClient
from tests.readings.documents import (
    IVAN_ACCOUNT,
    PETR_ACCOUNT,
    PUBLIC_METERS,
    SUBMIT,
    SUBMIT_PUBLIC,
    day_night,
    errors_of,
    meter_id,
    reading_count,
)
from tests.readings.test_submit_readings_concurrency import blocked_backends


def single(meter: str, value: int | str) -> list[dict]:
    return [{"meterId": meter, "zone": "SINGLE", "value": str(value)}]


async def public_meters(client, number=PETR_ACCOUNT, captcha_id="none", answer="none"):
    """The whole response: publicMeters answers a refused security code with a GraphQL error."""
    return await client.post(
        PUBLIC_METERS, {"number": number, "captchaId": captcha_id, "captchaAnswer": answer}
    )


async def public_meter_id(client, number: str = PETR_ACCOUNT) -> str:
    """The first meter's id, through publicMeters with a code of its own."""
    body = await public_meters(client, number, await challenge("abcde"), "abcde")
    return body["data"]["publicMeters"][0]["id"]


async def submit_public(client, number, readings, captcha_id="none", answer="none"):
    data = await client.execute(
        SUBMIT_PUBLIC,
        {"number": number, "readings": readings, "captchaId": captcha_id, "captchaAnswer": answer},
    )
    return data["submitPublicReadings"]


async def allow_readings_without_auth(login: str = "Ivan") -> None:
    await models.User.filter(login=login).update(allow_readings_without_auth=True)


async def test_public_meters_show_what_it_takes_to_enter_a_reading_and_nothing_more(client, petr):
    # Petr's meter has an earlier reading (12000, imported) and one he entered in the cabinet.
    meter = await public_meter_id(client)
    await client.execute(
        SUBMIT, {"number": PETR_ACCOUNT, "readings": single(meter, 12100)}, token=petr
    )

    body = await public_meters(client)

    assert body["data"]["publicMeters"] == [
        {
            "id": meter,
            "serialNumber": "…345",
            "kind": "INDIVIDUAL",
            "nextVerificationDate": None,
            "service": {"code": "ELECTRICITY", "name": "Электроэнергия"},
            "registers": [
                {"zone": "SINGLE", "description": "Общий", "periodStart": None, "current": None}
            ],
        }
    ]
    text = json.dumps(body, ensure_ascii=False)
    for secret in ("Петров", "Ленина", "1120345", "12000", "12100", "2030"):
        assert secret not in text


@pytest.mark.parametrize("number", [IVAN_ACCOUNT, "00000000000", "", "x" * 100])
async def test_public_meters_is_null_where_not_allowed_or_unknown(client, number):
    body = await public_meters(client, number)

    assert body["data"] == {"publicMeters": None}
    assert "errors" not in body


async def test_submit_public_readings_where_the_holder_allows_it(client, petr):
    meter = await meter_id(client, petr, PETR_ACCOUNT)

    payload = await submit_public(client, PETR_ACCOUNT, single(meter, 12150))

    assert payload["errors"] == []
    # The serial number masked; no consumption, which would tell the earlier reading.
    assert [
        (r["meterSerialNumber"], r["value"], r["consumption"], r["source"], r["status"])
        for r in payload["readings"]
    ] == [("…345", "12150", None, "PUBLIC", "PENDING")]
    row = await models.Reading.get(id=int(payload["readings"][0]["id"]))
    assert (row.source, row.user_id, int(row.value)) == ("PUBLIC", None, 12150)


async def test_submit_public_readings_applies_the_rules(client, petr):
    meter = await meter_id(client, petr, PETR_ACCOUNT)
    before = await reading_count()

    payload = await submit_public(client, PETR_ACCOUNT, single(meter, 11999))

    assert errors_of(payload) == [("readings.0.value", "READING_NOT_GREATER")]
    # Without signing in the earlier reading is not told.
    assert payload["errors"][0]["message"] == "Показание должно быть больше предыдущего."
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


async def test_submit_public_readings_never_replaces_the_holders_cabinet_reading(client, petr):
    meter = await meter_id(client, petr, PETR_ACCOUNT)
    cabinet = await client.execute(
        SUBMIT, {"number": PETR_ACCOUNT, "readings": single(meter, 12100)}, token=petr
    )
    kept = await models.Reading.get(id=int(cabinet["submitReadings"]["readings"][0]["id"]))

    public = await submit_public(client, PETR_ACCOUNT, single(meter, 12120))

    assert errors_of(public) == [("readings", "ALREADY_EXISTS")]
    assert "личном кабинете" in public["errors"][0]["message"]
    assert public["readings"] == []
    rows = await models.Reading.filter(status=models.ReadingStatus.PENDING)
    assert [(r.id, int(r.value), r.source, r.user_id, r.taken_at) for r in rows] == [
        (kept.id, 12100, "CABINET", kept.user_id, kept.taken_at)
    ]


async def test_a_public_reading_is_replaced_by_the_next_public_one_and_by_the_cabinet(client, petr):
    meter = await meter_id(client, petr, PETR_ACCOUNT)
    first = await submit_public(client, PETR_ACCOUNT, single(meter, 12110))

    second = await submit_public(client, PETR_ACCOUNT, single(meter, 12120))
    cabinet = await client.execute(
        SUBMIT, {"number": PETR_ACCOUNT, "readings": single(meter, 12130)}, token=petr
    )

    assert second["readings"][0]["id"] == first["readings"][0]["id"]
    assert cabinet["submitReadings"]["readings"][0]["id"] == first["readings"][0]["id"]
    rows = await models.Reading.filter(status=models.ReadingStatus.PENDING)
    assert [(int(r.value), r.source) for r in rows] == [(12130, "CABINET")]


async def test_public_readings_racing_an_uncommitted_cabinet_reading_store_nothing(client, ivan):
    # Given Ivan's night reading entered in the cabinet but not yet committed, a submission
    # without signing in that read "no cabinet reading" must wait on the slot, then be refused
    # as a whole: its day reading is not stored either (on PostgreSQL the upsert's guard decides;
    # SQLite has one connection, so there the submission waits and its checks see the reading).
    await allow_readings_without_auth()
    meter = await meter_id(client, ivan)
    night = await models.MeterRegister.get(meter_id=int(meter), zone=models.MeterZone.NIGHT)
    period = periods.current_period("Asia/Yekaterinburg")
    postgres = Tortoise.get_connection("default").capabilities.dialect == "postgres"
    async with in_transaction() as conn:
        held = await models.Reading.create(
            register_id=night.id,
            period=period,
            value=Decimal(5018),
            source=models.ReadingSource.CABINET,
            taken_at=datetime.now(UTC),
            customer_slot=f"{night.id}:{period}",
            using_db=conn,
        )
        submission = asyncio.create_task(
            submit_public(client, IVAN_ACCOUNT, day_night(meter, 4950, 5030))
        )
        if postgres:
            assert await blocked_backends(conn, at_least=1) >= 1

    payload = await submission

    assert errors_of(payload) == [("readings", "ALREADY_EXISTS")]
    rows = await models.Reading.filter(status=models.ReadingStatus.PENDING)
    assert [(r.id, int(r.value), r.source) for r in rows] == [(held.id, 5018, "CABINET")]


async def test_concurrent_public_submissions_never_replace_the_cabinet_reading(client, petr):
    # Given Petr's reading entered in the cabinet, 30 submissions at once: every fifth from the
    # cabinet (each replaces it), the others without signing in (each refused).
    meter = await meter_id(client, petr, PETR_ACCOUNT)

    def cabinet(value):
        return client.execute(
            SUBMIT, {"number": PETR_ACCOUNT, "readings": single(meter, value)}, token=petr
        )

    await cabinet(12100)
    results = await asyncio.gather(
        *(
            cabinet(12100 + i)
            if i % 5 == 0
            else submit_public(client, PETR_ACCOUNT, single(meter, 12200 + i))
            for i in range(1, 31)
        )
    )

    cabinet_payloads = [r["submitReadings"] for i, r in enumerate(results, 1) if i % 5 == 0]
    public_payloads = [r for i, r in enumerate(results, 1) if i % 5 != 0]
    assert all(p["errors"] == [] for p in cabinet_payloads)
    assert [errors_of(p) for p in public_payloads] == [[("readings", "ALREADY_EXISTS")]] * 24
    rows = await models.Reading.filter(status=models.ReadingStatus.PENDING)
    assert len(rows) == 1
    assert rows[0].source == "CABINET" and int(rows[0].value) in {12100 + i for i in range(31)}


# --- the security code


@pytest.fixture
async def guarded_client(clean_database, make_settings, aiohttp_client) -> GraphQLClient:
    """The app with the security code switched on."""
    return GraphQLClient(await aiohttp_client(create_app(make_settings(captcha="enabled"))))


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


# --- publicMeters and the code it binds to the account


def refusal(body: dict) -> tuple[object, list[tuple[str, str]]]:
    return body["data"], [
        (e["extensions"]["code"], e["extensions"]["field"]) for e in body.get("errors", [])
    ]


async def test_public_meters_needs_the_security_code(guarded_client):
    body = await guarded_client.post(
        "query($n: String!) { publicMeters(accountNumber: $n) { id serialNumber } }",
        {"n": PETR_ACCOUNT},
    )

    # Without the code the query is not even valid.
    assert "data" not in body or body["data"] is None
    assert "captchaId" in body["errors"][0]["message"]


async def test_public_meters_with_a_wrong_or_unknown_code_answer_nothing(guarded_client):
    captcha_id = await challenge("k7Xq2")

    wrong = await public_meters(guarded_client, PETR_ACCOUNT, captcha_id, "xxxxx")
    # The code is spent by the wrong answer: the right one no longer opens the meters.
    again = await public_meters(guarded_client, PETR_ACCOUNT, captcha_id, "k7Xq2")
    unknown = await public_meters(guarded_client, PETR_ACCOUNT, str(uuid.uuid4()), "k7Xq2")

    for body in (wrong, again, unknown):
        assert refusal(body) == ({"publicMeters": None}, [("CAPTCHA_INVALID", "captchaAnswer")])
    assert await models.PublicReadingsPass.all().count() == 0


async def test_the_code_solved_in_public_meters_serves_submissions_of_that_account(
    guarded_client,
):
    captcha_id = await challenge("k7Xq2")
    body = await public_meters(guarded_client, PETR_ACCOUNT, captcha_id, "K7XQ2")
    meter = body["data"]["publicMeters"][0]["id"]

    # The same code and answer again and again for this account, while the code lives: a wrong
    # value corrected, then a new one.
    too_low = await submit_public(
        guarded_client, PETR_ACCOUNT, single(meter, 11999), captcha_id, "k7xq2"
    )
    first = await submit_public(
        guarded_client, PETR_ACCOUNT, single(meter, 12150), captcha_id, "k7xq2"
    )
    second = await submit_public(
        guarded_client, PETR_ACCOUNT, single(meter, 12160), captcha_id, " K7XQ2 "
    )

    assert errors_of(too_low) == [("readings.0.value", "READING_NOT_GREATER")]
    assert first["errors"] == [] and second["errors"] == []
    rows = await models.Reading.filter(status=models.ReadingStatus.PENDING)
    assert [(int(r.value), r.source) for r in rows] == [(12160, "PUBLIC")]


async def test_the_code_solved_for_one_account_is_refused_for_another(guarded_client):
    await allow_readings_without_auth()
    ivan_meter = await public_meter_id(guarded_client, IVAN_ACCOUNT)
    captcha_id = await challenge("k7Xq2")
    assert (await public_meters(guarded_client, PETR_ACCOUNT, captcha_id, "k7Xq2"))["data"][
        "publicMeters"
    ]
    before = await reading_count()

    other = await submit_public(
        guarded_client, IVAN_ACCOUNT, day_night(ivan_meter, 4950, 5030), captcha_id, "k7Xq2"
    )

    assert errors_of(other) == [("captchaAnswer", "CAPTCHA_INVALID")]
    assert await reading_count() == before


async def test_a_wrong_answer_ends_the_code_of_public_meters(guarded_client):
    captcha_id = await challenge("k7Xq2")
    meter = (await public_meters(guarded_client, PETR_ACCOUNT, captcha_id, "k7Xq2"))["data"][
        "publicMeters"
    ][0]["id"]
    before = await reading_count()

    wrong = await submit_public(guarded_client, PETR_ACCOUNT, single(meter, 12150), captcha_id, "x")
    right = await submit_public(
        guarded_client, PETR_ACCOUNT, single(meter, 12150), captcha_id, "k7Xq2"
    )

    assert errors_of(wrong) == [("captchaAnswer", "CAPTCHA_INVALID")]
    assert errors_of(right) == [("captchaAnswer", "CAPTCHA_INVALID")]
    assert await reading_count() == before


async def test_the_code_of_public_meters_ends_when_it_expires(guarded_client):
    captcha_id = await challenge("k7Xq2")
    meter = (await public_meters(guarded_client, PETR_ACCOUNT, captcha_id, "k7Xq2"))["data"][
        "publicMeters"
    ][0]["id"]
    await models.PublicReadingsPass.filter(id=captcha_id).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )

    late = await submit_public(
        guarded_client, PETR_ACCOUNT, single(meter, 12150), captcha_id, "k7Xq2"
    )

    assert errors_of(late) == [("captchaAnswer", "CAPTCHA_INVALID")]
    assert await models.Reading.filter(source=models.ReadingSource.PUBLIC).count() == 0


async def test_a_code_spent_on_an_account_that_refuses_serves_nothing(guarded_client):
    captcha_id = await challenge("k7Xq2")
    petr_meter = await public_meter_id(guarded_client)
    refused = await public_meters(guarded_client, IVAN_ACCOUNT, captcha_id, "k7Xq2")

    later = await submit_public(
        guarded_client, PETR_ACCOUNT, single(petr_meter, 12150), captcha_id, "k7Xq2"
    )

    assert refusal(refused) == ({"publicMeters": None}, [])
    assert errors_of(later) == [("captchaAnswer", "CAPTCHA_INVALID")]
