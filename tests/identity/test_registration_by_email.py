"""Registration by e-mail: the activation link read from the outbox opens the cabinet."""

from __future__ import annotations

import models
from services.identity import registration
from tests.identity.flows import (
    ACTIVATE,
    BILL_TOTAL,
    BIND,
    COMPLETE,
    CONFIRM,
    NEW_ACCOUNT,
    START,
    codes,
    last_link,
    new_account,
    outbox,
    registration_input,
    runtime,
)

EMAIL = "sidor.sidorov@example.ru"


async def _steps_1_to_3(client) -> str:
    data = await client.execute(
        START,
        {
            "input": registration_input(
                channel="EMAIL", phone=None, email="Sidor.Sidorov@Example.RU"
            )
        },
    )
    registration_id = data["startRegistration"]["registration"]["id"]
    await client.execute(BIND, {"id": registration_id, "number": NEW_ACCOUNT})
    confirmed = (await client.execute(CONFIRM, {"id": registration_id, "total": BILL_TOTAL}))[
        "confirmBinding"
    ]
    assert confirmed["errors"] == []
    assert confirmed["registration"]["sentTo"] == "si***@example.ru"
    return registration_id


async def test_register_by_email_end_to_end(client):
    await new_account()
    await _steps_1_to_3(client)
    mail = (await outbox(client, EMAIL))[0]
    assert mail["subject"] == "Подтверждение регистрации в личном кабинете"
    assert "Sidor" in mail["body"] and NEW_ACCOUNT in mail["body"]
    assert await models.User.filter(login_key="sidor").count() == 0

    path, query = await last_link(client, EMAIL)
    assert path == "/register/activate"
    done = (await client.execute(ACTIVATE, {"token": query["token"]}))["activateEmail"]
    assert done["errors"] == []
    assert done["accessToken"]
    assert done["user"]["email"] == EMAIL
    assert done["user"]["emailConfirmed"] is True
    assert done["user"]["phone"] is None
    assert done["user"]["accounts"] == [{"number": NEW_ACCOUNT}]

    # The link is single use.
    again = (await client.execute(ACTIVATE, {"token": query["token"]}))["activateEmail"]
    assert [(e["field"], e["code"]) for e in again["errors"]] == [
        ("registrationId", "INVALID_INPUT")
    ]
    assert await models.User.filter(login_key="sidor").count() == 1


async def test_forged_and_expired_links(client):
    await new_account()
    registration_id = await _steps_1_to_3(client)
    _, query = await last_link(client, EMAIL)
    forged = query["token"][:-3] + ("AAA" if not query["token"].endswith("AAA") else "BBB")
    payload = (await client.execute(ACTIVATE, {"token": forged}))["activateEmail"]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("token", "INVALID_CODE")]

    rt = runtime(client)
    expired = rt.signer.sign(
        {"r": registration_id, "n": "x"}, purpose=registration.ACTIVATION_PURPOSE, ttl_seconds=-1
    )
    payload = (await client.execute(ACTIVATE, {"token": expired}))["activateEmail"]
    assert codes(payload) == ["CODE_EXPIRED"]
    assert await models.User.filter(login_key="sidor").count() == 0


async def test_a_resent_link_replaces_the_previous_one(client):
    await new_account()
    registration_id = await _steps_1_to_3(client)
    _, first = await last_link(client, EMAIL)
    await client.execute(CONFIRM, {"id": registration_id, "total": BILL_TOTAL})
    _, second = await last_link(client, EMAIL)
    stale = (await client.execute(ACTIVATE, {"token": first["token"]}))["activateEmail"]
    assert codes(stale) == ["CODE_EXPIRED"]
    done = (await client.execute(ACTIVATE, {"token": second["token"]}))["activateEmail"]
    assert done["errors"] == []


async def test_an_email_registration_is_not_completed_by_a_code(client):
    await new_account()
    registration_id = await _steps_1_to_3(client)
    payload = (await client.execute(COMPLETE, {"id": registration_id, "code": "1234"}))[
        "completeRegistration"
    ]
    assert codes(payload) == ["INVALID_INPUT"]
