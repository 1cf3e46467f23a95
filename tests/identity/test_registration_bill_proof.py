"""Registration proves the bill before an account is bound: bindAccount shows the address to the
city and street only, answers alike for unknown and registered numbers and is limited;
confirmBinding takes «Итого к оплате» of one of the last three bills, with tries reserved before
they are judged (per registration, and per account a day)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from tortoise.expressions import Q

import models
from server import create_app
from services.identity import binding
from services.identity import housekeeping as identity_housekeeping
from tests.graphql import GraphQLClient
from tests.identity.flows import (
    BILL_TOTAL,
    BILL_TOTALS,
    BIND,
    COMPLETE,
    CONFIRM,
    NEW_ACCOUNT,
    NEW_ACCOUNT_ADDRESS,
    NEW_ACCOUNT_STREET,
    RESEND,
    START,
    codes,
    last_code,
    new_account,
    outbox,
    registration_input,
)

PHONE = "+79123456726"
WRONG_TOTAL = "272.09"


def fields(payload):
    return [(e["field"], e["code"]) for e in payload["errors"]]


async def _start(client, **overrides) -> str:
    data = await client.execute(START, {"input": registration_input(**overrides)})
    assert data["startRegistration"]["errors"] == []
    return data["startRegistration"]["registration"]["id"]


async def _bind(client, registration_id: str, number: str = NEW_ACCOUNT) -> dict:
    data = await client.execute(BIND, {"id": registration_id, "number": number})
    return data["bindAccount"]


async def _confirm(client, registration_id: str, total: str) -> dict:
    data = await client.execute(CONFIRM, {"id": registration_id, "total": total})
    return data["confirmBinding"]


async def _bound_registration(account: models.Account, n: int) -> str:
    """A registration already at step 3 for `account` (made in the database: the HTTP steps
    are limited per source)."""
    row = await models.Registration.create(
        id=uuid.uuid4(),
        login=f"Someone{n}",
        login_key=f"someone{n}",
        password_hash="x",
        channel=models.ContactChannel.PHONE,
        phone=f"+7912000{n:04}",
        city="Нижний Тагил",
        account=account,
        consent_text_version="2024-01",
        consent_at=datetime.now(UTC),
        expires_at=datetime.now(UTC) + timedelta(hours=24),
    )
    return str(row.id)


async def test_bind_account_shows_only_the_city_and_street(client):
    await new_account()
    registration_id = await _start(client)
    bound = await _bind(client, registration_id)
    assert bound["errors"] == []
    assert bound["registration"]["address"] == NEW_ACCOUNT_STREET
    assert bound["registration"]["accountNumber"] == NEW_ACCOUNT
    assert (await models.Registration.get(id=registration_id)).binding_confirmed_at is None


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("г Нижний Тагил, ул Газетная, д. 7, кв. 3", "г Нижний Тагил, ул Газетная"),
        (
            "622001, г Нижний Тагил, пр-кт Ленина, д 5, корп 2, кв 12",
            "г Нижний Тагил, пр-кт Ленина",
        ),
        (
            "Свердловская обл, г Нижний Тагил, ул Мира, 14-7",
            "Свердловская обл, г Нижний Тагил, ул Мира",
        ),
        ("г Нижний Тагил, ул Мира 14", "г Нижний Тагил"),
        ("ул Мира 14", "Нижний Тагил"),
    ],
)
def test_masked_address_leaves_out_the_house_and_flat(address, masked):
    account = models.Account(address=address, city="Нижний Тагил")
    assert binding.masked_address(account) == masked


async def test_knowing_the_number_is_not_enough_to_become_the_holder(client):
    await new_account()
    thief = await _start(client, login="Thief", phone="+79120000666")
    assert (await _bind(client, thief))["errors"] == []
    for total in ("100.00", "200.00", BILL_TOTALS[3]):  # the fourth bill is too old
        wrong = await _confirm(client, thief, total)
        assert fields(wrong) == [("billTotal", "INVALID_INPUT")]
    exhausted = await _confirm(client, thief, BILL_TOTAL)
    assert fields(exhausted) == [("billTotal", "TOO_MANY_ATTEMPTS")]
    assert exhausted["registration"] is None
    assert await outbox(client, "+79120000666") == []
    assert (await models.Registration.get(id=thief)).binding_confirmed_at is None

    # The customer with the bill registers the account.
    customer = await _start(client)
    assert (await _bind(client, customer))["errors"] == []
    confirmed = await _confirm(client, customer, BILL_TOTALS[2])
    assert confirmed["errors"] == []
    assert confirmed["registration"]["sentTo"] == "+7 912 ***-**-26"
    # Proven: now the full address is shown.
    assert confirmed["registration"]["address"] == NEW_ACCOUNT_ADDRESS
    code = await last_code(client, PHONE)
    done = (await client.execute(COMPLETE, {"id": customer, "code": code}))["completeRegistration"]
    assert done["errors"] == []
    link = await models.UserAccount.get(account__number=NEW_ACCOUNT)
    assert (await link.user).login == "Sidor" and link.is_holder


async def test_bill_total_in_another_notation_matches(client):
    await new_account()
    registration_id = await _start(client)
    await _bind(client, registration_id)
    confirmed = await _confirm(client, registration_id, "498.100")
    assert confirmed["errors"] == []


async def test_malformed_bill_total_spends_no_try(client):
    await new_account()
    registration_id = await _start(client)
    await _bind(client, registration_id)
    for total in ("512.301", "0.001", "1000000000000"):
        payload = await _confirm(client, registration_id, total)
        assert fields(payload) == [("billTotal", "INVALID_INPUT")], total
    # Not a number at all: refused as the request is read (no try either).
    unreadable = await client.post(CONFIRM, {"id": registration_id, "total": "NaN"})
    assert unreadable.get("errors") or unreadable["data"]["confirmBinding"]["errors"]
    assert await models.RateCounter.filter(key__startswith="bill:").count() == 0
    assert (await _confirm(client, registration_id, BILL_TOTAL))["errors"] == []


async def test_thirty_wrong_totals_at_once_get_three_tries(client):
    await new_account()
    registration_id = await _start(client)
    await _bind(client, registration_id)
    answers = await asyncio.gather(
        *(_confirm(client, registration_id, f"{100 + i}.00") for i in range(30))
    )
    judged = [a for a in answers if codes(a) == ["INVALID_INPUT"]]
    refused = [a for a in answers if codes(a) == ["TOO_MANY_ATTEMPTS"]]
    limit = binding.BILL_TRIES_PER_REGISTRATION
    assert (len(judged), len(refused)) == (limit, 30 - limit)
    counter = await models.RateCounter.get(key=f"bill:registration:{registration_id}")
    assert counter.count == limit
    # Spent: even the right total is refused now, and nothing was sent.
    late = await _confirm(client, registration_id, BILL_TOTAL)
    assert codes(late) == ["TOO_MANY_ATTEMPTS"]
    assert await outbox(client) == []
    assert await models.VerificationCode.all().count() == 0


async def test_tries_per_account_a_day_hold_across_registrations(client):
    account = await new_account()
    registrations = [await _bound_registration(account, n) for n in range(31)]
    answers = await asyncio.gather(
        *(_confirm(client, registration_id, WRONG_TOTAL) for registration_id in registrations[:30])
    )
    judged = [a for a in answers if codes(a) == ["INVALID_INPUT"]]
    limit = binding.BILL_TRIES_PER_ACCOUNT_DAY
    assert len(judged) == limit
    assert sum(codes(a) == ["TOO_MANY_ATTEMPTS"] for a in answers) == 30 - limit
    # A fresh registration of the account gets no try today, even with the right total.
    fresh = await _confirm(client, registrations[30], BILL_TOTAL)
    assert fields(fresh) == [("billTotal", "TOO_MANY_ATTEMPTS")]
    assert "завтра" in fresh["errors"][0]["message"]
    assert await outbox(client) == []
    # The registrations' own counters were rolled back where the account's limit refused.
    counted = await models.RateCounter.filter(key__startswith="bill:registration:").count()
    assert counted == limit


async def test_account_without_a_bill_is_bound_at_the_office(client):
    await new_account(bills=())
    registration_id = await _start(client)
    assert (await _bind(client, registration_id))["errors"] == []
    payload = await _confirm(client, registration_id, "0.00")
    assert fields(payload) == [("billTotal", "NOT_FOUND")]
    assert "офис" in payload["errors"][0]["message"]
    assert await models.RateCounter.filter(key__startswith="bill:").count() == 0
    assert await outbox(client) == []


async def test_binding_another_number_drops_the_proof(client):
    await new_account()
    await new_account("66200000078", bills=("10.00",))
    registration_id = await _start(client)
    await _bind(client, registration_id)
    assert (await _confirm(client, registration_id, BILL_TOTAL))["errors"] == []
    rebound = await _bind(client, registration_id, "66200000078")
    assert rebound["registration"]["address"] == NEW_ACCOUNT_STREET  # masked again
    resent = (await client.execute(RESEND, {"id": registration_id}))["resendRegistrationCode"]
    assert codes(resent) == ["INVALID_INPUT"]
    # The first account's bill does not prove the second.
    other = await _confirm(client, registration_id, BILL_TOTAL)
    assert fields(other) == [("billTotal", "INVALID_INPUT")]
    assert (await _confirm(client, registration_id, "10.00"))["errors"] == []


async def test_bind_account_is_limited_per_registration(client):
    await new_account()
    registration_id = await _start(client)
    for n in range(binding.BIND_PER_REGISTRATION):
        number = NEW_ACCOUNT if n % 2 else f"6629999999{n}"
        await _bind(client, registration_id, number)
    limited = await _bind(client, registration_id)
    assert fields(limited) == [("accountNumber", "TOO_MANY_ATTEMPTS")]
    assert limited["registration"] is None
    row = await models.Registration.get(id=registration_id)
    assert row.account_id is not None  # the last accepted binding stays


@pytest.fixture
async def limited_client(clean_database, make_settings, aiohttp_client) -> GraphQLClient:
    app = create_app(make_settings(bind_account_per_source_hour=3))
    return GraphQLClient(await aiohttp_client(app))


async def test_bind_account_is_limited_per_source(limited_client):
    client = limited_client
    await new_account()
    for n in range(3):
        registration_id = await _start(client, login=f"Sidor{n}")
        await _bind(client, registration_id, "66299999999")  # unknown numbers count too
    fresh = await _start(client, login="Sidor9")
    limited = await _bind(client, fresh)
    assert fields(limited) == [("accountNumber", "RATE_LIMITED")]
    assert limited["registration"] is None
    assert (await models.Registration.get(id=fresh)).account_id is None
    # The refused lookup was not counted on the registration.
    assert not await models.RateCounter.exists(key=f"bind:registration:{fresh}")


async def test_housekeeping_deletes_counters_whose_window_ended(client):
    await new_account()
    registration_id = await _start(client)
    await _bind(client, registration_id)
    await _confirm(client, registration_id, WRONG_TOTAL)
    ours = Q(key__startswith="bind:") | Q(key__startswith="bill:")
    assert await models.RateCounter.filter(ours).count() == 4
    await models.RateCounter.filter(key__startswith="bill:account:").update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    await identity_housekeeping.purge()
    keys = sorted(row.key for row in await models.RateCounter.filter(ours))
    assert [key.split(":")[:2] for key in keys] == [
        ["bill", "registration"],
        ["bind", "registration"],
        ["bind", "source"],
    ]
