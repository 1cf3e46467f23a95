"""Every error of the registration steps, and that nothing half-made is left behind."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import models
from services.identity import housekeeping as identity_housekeeping
from tests.identity.flows import (
    BILL_TOTAL,
    BIND,
    COMPLETE,
    CONFIRM,
    NEW_ACCOUNT,
    RESEND,
    START,
    codes,
    last_code,
    new_account,
    outbox,
    registration_input,
    start_phone_registration,
)

PHONE = "+79123456726"


async def _start(client, **overrides):
    data = await client.execute(START, {"input": registration_input(**overrides)})
    return data["startRegistration"]


async def test_start_reports_every_bad_field_at_once(client):
    payload = await _start(
        client,
        login="a b",
        password="short",
        passwordRepeat="other",
        phone="12345",
        consentToPersonalData=False,
    )
    assert payload["registration"] is None
    assert {(e["field"], e["code"]) for e in payload["errors"]} == {
        ("input.login", "INVALID_INPUT"),
        ("input.password", "WEAK_PASSWORD"),
        ("input.passwordRepeat", "PASSWORD_MISMATCH"),
        ("input.phone", "INVALID_INPUT"),
        ("input.consentToPersonalData", "CONSENT_REQUIRED"),
    }
    assert all(e["message"] for e in payload["errors"])
    assert await models.Registration.all().count() == 0


async def test_start_requires_the_contact_of_the_channel(client):
    phone = await _start(client, phone=None)
    assert [(e["field"], e["code"]) for e in phone["errors"]] == [("input.phone", "REQUIRED")]
    email = await _start(client, channel="EMAIL", email="not-an-address")
    assert [(e["field"], e["code"]) for e in email["errors"]] == [("input.email", "INVALID_INPUT")]


async def test_password_equal_to_the_login_is_weak(client):
    payload = await _start(
        client, password="SIDOR-login", passwordRepeat="SIDOR-login", login="sidor-LOGIN"
    )
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        ("input.password", "WEAK_PASSWORD")
    ]


async def test_cyrillic_login_is_accepted_and_city_defaults(client):
    payload = await _start(client, login="Сидор_1.ру", city="  ")
    assert payload["errors"] == []
    row = await models.Registration.get(id=payload["registration"]["id"])
    assert row.city == "Нижний Тагил"


async def test_taken_login_in_another_case(client):
    payload = await _start(client, login="IVAN")
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        ("input.login", "ALREADY_EXISTS")
    ]


async def test_unknown_account_number(client):
    registration_id = (await _start(client))["registration"]["id"]
    bound = (await client.execute(BIND, {"id": registration_id, "number": "66299999999"}))[
        "bindAccount"
    ]
    assert [(e["field"], e["code"]) for e in bound["errors"]] == [("accountNumber", "NOT_FOUND")]
    empty = (await client.execute(BIND, {"id": registration_id, "number": " "}))["bindAccount"]
    assert [(e["field"], e["code"]) for e in empty["errors"]] == [("accountNumber", "REQUIRED")]


async def test_account_with_a_holder_answers_like_an_unknown_number(client):
    registration_id = (await _start(client))["registration"]["id"]
    held = (await client.execute(BIND, {"id": registration_id, "number": "66200000000"}))[
        "bindAccount"
    ]
    unknown = (await client.execute(BIND, {"id": registration_id, "number": "66299999999"}))[
        "bindAccount"
    ]
    # The same answer: bindAccount does not tell which numbers are registered.
    assert held == unknown
    assert [(e["field"], e["code"]) for e in held["errors"]] == [("accountNumber", "NOT_FOUND")]
    assert "привяз" in held["errors"][0]["message"]
    row = await models.Registration.get(id=registration_id)
    assert row.account_id is None


async def test_steps_out_of_order(client):
    await new_account()
    unknown = str(uuid.uuid4())
    before_start = (await client.execute(BIND, {"id": unknown, "number": NEW_ACCOUNT}))[
        "bindAccount"
    ]
    assert [(e["field"], e["code"]) for e in before_start["errors"]] == [
        ("registrationId", "NOT_FOUND")
    ]
    not_an_id = (await client.execute(CONFIRM, {"id": "nonsense", "total": BILL_TOTAL}))[
        "confirmBinding"
    ]
    assert codes(not_an_id) == ["NOT_FOUND"]

    registration_id = (await _start(client))["registration"]["id"]
    unbound = (await client.execute(CONFIRM, {"id": registration_id, "total": BILL_TOTAL}))[
        "confirmBinding"
    ]
    assert codes(unbound) == ["INVALID_INPUT"]
    resend = (await client.execute(RESEND, {"id": registration_id}))["resendRegistrationCode"]
    assert codes(resend) == ["INVALID_INPUT"]
    early = (await client.execute(COMPLETE, {"id": registration_id, "code": "1234"}))[
        "completeRegistration"
    ]
    assert codes(early) == ["INVALID_INPUT"]
    assert await outbox(client) == []


async def test_completing_twice(client):
    await new_account()
    registration_id = await start_phone_registration(client)
    code = await last_code(client, PHONE)
    first = (await client.execute(COMPLETE, {"id": registration_id, "code": code}))[
        "completeRegistration"
    ]
    assert first["errors"] == []
    again = (await client.execute(COMPLETE, {"id": registration_id, "code": code}))[
        "completeRegistration"
    ]
    assert [(e["field"], e["code"]) for e in again["errors"]] == [
        ("registrationId", "INVALID_INPUT")
    ]
    assert again["accessToken"] is None
    assert await models.User.filter(login_key="sidor").count() == 1


async def test_wrong_code_then_too_many_attempts(client):
    await new_account()
    registration_id = await start_phone_registration(client)
    code = await last_code(client, PHONE)
    wrong = "0000" if code != "0000" else "1111"
    for _ in range(5):
        payload = (await client.execute(COMPLETE, {"id": registration_id, "code": wrong}))[
            "completeRegistration"
        ]
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [("code", "INVALID_CODE")]
    # The sixth try fails even with the right code.
    payload = (await client.execute(COMPLETE, {"id": registration_id, "code": code}))[
        "completeRegistration"
    ]
    assert codes(payload) == ["TOO_MANY_ATTEMPTS"]
    assert await models.User.filter(login_key="sidor").count() == 0
    assert (await models.VerificationCode.get(target=PHONE)).attempts == 5


async def test_expired_code(client):
    await new_account()
    registration_id = await start_phone_registration(client)
    code = await last_code(client, PHONE)
    await models.VerificationCode.filter(target=PHONE).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    payload = (await client.execute(COMPLETE, {"id": registration_id, "code": code}))[
        "completeRegistration"
    ]
    assert codes(payload) == ["CODE_EXPIRED"]
    assert await models.User.filter(login_key="sidor").count() == 0


async def test_daily_limit_of_three_codes_per_phone(client):
    await new_account()
    registration_id = await start_phone_registration(client)
    for left in (1, 0):
        resent = (await client.execute(RESEND, {"id": registration_id}))["resendRegistrationCode"]
        assert resent["errors"] == []
        assert resent["registration"]["codesLeftToday"] == left
    limited = (await client.execute(RESEND, {"id": registration_id}))["resendRegistrationCode"]
    assert codes(limited) == ["RATE_LIMITED"]
    assert len(await outbox(client, PHONE)) == 3
    # The limit is per phone: a new registration with the same phone is limited too.
    other = (await _start(client, login="Sidor2"))["registration"]
    assert other["codesLeftToday"] == 0
    await client.execute(BIND, {"id": other["id"], "number": NEW_ACCOUNT})
    limited = (await client.execute(CONFIRM, {"id": other["id"], "total": BILL_TOTAL}))[
        "confirmBinding"
    ]
    assert codes(limited) == ["RATE_LIMITED"]
    assert (await models.Registration.get(id=other["id"])).binding_confirmed_at is None
    assert len(await outbox(client, PHONE)) == 3
    # Codes sent before local midnight do not count: the day's counter is moved to yesterday.
    [counter] = await models.RateCounter.filter(key__startswith=f"codes:registration:{PHONE}@")
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    await counter.delete()
    await models.RateCounter.create(
        key=f"codes:registration:{PHONE}@{yesterday}",
        count=counter.count,
        expires_at=counter.expires_at,
    )
    again = (await client.execute(RESEND, {"id": registration_id}))["resendRegistrationCode"]
    assert again["errors"] == []
    assert again["registration"]["codesLeftToday"] == 2


async def test_abandoned_registration_expires_and_creates_nothing(client):
    await new_account()
    registration_id = await start_phone_registration(client)
    code = await last_code(client, PHONE)
    await models.Registration.filter(id=registration_id).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    payload = (await client.execute(COMPLETE, {"id": registration_id, "code": code}))[
        "completeRegistration"
    ]
    assert codes(payload) == ["NOT_FOUND"]
    assert await models.User.filter(login_key="sidor").count() == 0
    assert await models.UserAccount.filter(account__number=NEW_ACCOUNT).count() == 0


async def test_login_taken_while_registering(client):
    await new_account()
    await new_account("66200000078")
    first = await start_phone_registration(client)
    first_code = await last_code(client, PHONE)
    second = await start_phone_registration(client, number="66200000078", phone="+79123456727")
    second_code = await last_code(client, "+79123456727")
    done = (await client.execute(COMPLETE, {"id": second, "code": second_code}))[
        "completeRegistration"
    ]
    assert done["errors"] == []
    late = (await client.execute(COMPLETE, {"id": first, "code": first_code}))[
        "completeRegistration"
    ]
    assert codes(late) == ["ALREADY_EXISTS"]
    assert await models.UserAccount.filter(account__number=NEW_ACCOUNT).count() == 0
    # Nothing of the failed completion was kept: the code is still unused.
    assert (await models.VerificationCode.get(target=PHONE)).used_at is None


async def test_housekeeping_deletes_expired_registrations_only(client):
    await new_account()
    registration_id = await start_phone_registration(client)
    fresh = (await _start(client, login="Fresh"))["registration"]["id"]
    await models.Registration.filter(id=registration_id).update(
        expires_at=datetime.now(UTC) - timedelta(days=1, minutes=1)
    )
    await identity_housekeeping.purge()
    assert [str(r.id) for r in await models.Registration.all()] == [fresh]
    assert await models.VerificationCode.filter(target=PHONE).count() == 0
    assert await models.User.all().count() == 2
