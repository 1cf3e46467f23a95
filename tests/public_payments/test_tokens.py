"""createPublicPayment's pay token: forged, damaged, another key's, another account's, another
address's, expired and replayed tokens answer typed errors (Russian) and store nothing."""

from __future__ import annotations

import base64

import orjson
import pytest

import models
from infra.crypto import Signer
from tests.conftest import TEST_SECRET
from tests.public_payments.flows import (
    CREATE_PUBLIC,
    DEBT,
    IVAN_ACCOUNT,
    PETR_ACCOUNT,
    created,
    look_up,
    pay_public,
    post_from,
    public_input,
)


def _parts(token: str) -> tuple[dict, str]:
    raw, mac = token.split(".", 1)
    return orjson.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))), mac


def _raw(body: dict) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(body)).rstrip(b"=").decode()


async def _refused(client, token: str, code: str, **kwargs) -> dict:
    before = await models.Payment.all().count()
    payload = await pay_public(client, token, **kwargs)
    assert payload["payment"] is None and payload["capability"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, "input.payToken")]
    assert "задолженность" in payload["errors"][0]["message"]
    assert await models.Payment.all().count() == before
    assert await models.SitePayment.all().count() == 0
    return payload


@pytest.mark.parametrize(
    "damage",
    ["", "garbage", "a.b.c", "x" * 600, "unicode", "forged-mac", "other-purpose", "other-key"],
)
async def test_a_forged_or_damaged_token_is_refused(client, damage):
    token = (await look_up(client))["payToken"]
    body, _ = _parts(token)
    bad = {
        "": "",
        "garbage": "garbage",
        "a.b.c": "a.b.c",
        "x" * 600: "x" * 600,
        "unicode": "токен.<script>\u0000",
        "forged-mac": token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"),
        # A link of another purpose signed by this server is no pay token.
        "other-purpose": Signer(TEST_SECRET).sign(
            {k: v for k, v in body.items() if k not in ("p", "e")},
            purpose="document",
            ttl_seconds=600,
        ),
        "other-key": Signer("another server's key" * 2).sign(
            {k: v for k, v in body.items() if k not in ("p", "e")},
            purpose="pay-token",
            ttl_seconds=600,
        ),
    }[damage]

    await _refused(client, bad, "PAY_TOKEN_INVALID")


async def test_a_token_for_one_account_cannot_pay_another(client):
    ivan = (await look_up(client, IVAN_ACCOUNT))["payToken"]
    petr = (await look_up(client, PETR_ACCOUNT))["payToken"]
    body, mac = _parts(ivan)
    petr_body, _ = _parts(petr)
    # Ivan's token with Petr's account put in (the signature no longer matches).
    swapped = _raw(dict(body, a=petr_body["a"])) + "." + mac

    await _refused(client, swapped, "PAY_TOKEN_INVALID")
    # Ivan's own token pays Ivan's account, whatever the lines say.
    paid = await created(client, ivan, lines=[("ELECTRICITY", "10.00")])
    row = await models.Payment.get(id=paid["payment"]["id"]).prefetch_related("account")
    assert row.account.number == IVAN_ACCOUNT


async def test_an_expired_token_is_refused(client):
    body, _ = _parts((await look_up(client))["payToken"])
    expired = Signer(TEST_SECRET).sign(
        {k: v for k, v in body.items() if k not in ("p", "e")},
        purpose="pay-token",
        ttl_seconds=-1,
    )

    payload = await _refused(client, expired, "TOKEN_EXPIRED")
    assert "30 минут" in payload["errors"][0]["message"]


async def test_a_token_from_another_address_is_refused(client):
    # Looked up from 127.0.0.2 (another device), paid from 127.0.0.1: refused.
    data = await post_from(client, "127.0.0.2", DEBT, {"number": IVAN_ACCOUNT})
    token = data["debt"]["debt"]["payToken"]

    payload = await _refused(client, token, "PAY_TOKEN_INVALID")
    assert "другого устройства" in payload["errors"][0]["message"]
    # From the address that looked it up, it pays.
    answer = await post_from(client, "127.0.0.2", CREATE_PUBLIC, public_input(token))
    assert answer["createPublicPayment"]["errors"] == []


async def test_a_replayed_token_makes_no_second_payment(client):
    token = (await look_up(client))["payToken"]
    first = await created(client, token, key="first")

    again = await pay_public(client, token, key="first")
    another = await pay_public(client, token, key="second")
    conflict = await pay_public(client, token, key="first", lines=[("ELECTRICITY", "1.00")])

    # The same key and body: the same payment (a retry); another key: the token is spent;
    # the same key with another body: IDEMPOTENCY_CONFLICT, as in the cabinet.
    assert again["payment"]["id"] == first["payment"]["id"] and again["errors"] == []
    assert again["capability"] == first["capability"]
    assert [(e["code"], e["field"]) for e in another["errors"]] == [
        ("PAY_TOKEN_USED", "input.payToken")
    ]
    assert [(e["code"], e["field"]) for e in conflict["errors"]] == [
        ("IDEMPOTENCY_CONFLICT", "input.idempotencyKey")
    ]
    assert await models.Payment.filter(channel="site").count() == 1
    # A new look-up gives a new token, which pays again.
    fresh = (await look_up(client))["payToken"]
    assert (await created(client, fresh, key="first"))["payment"]["id"] != first["payment"]["id"]
