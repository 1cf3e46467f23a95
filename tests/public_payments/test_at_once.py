"""createPublicPayment under concurrency and its limits: the same request 30 times at once makes
one payment; one token pays once whatever the keys; a new payment takes one try of the source's
hourly limit and of the account's, reserved before the acquirer is asked."""

from __future__ import annotations

import asyncio

import models
from services.payments import site
from tests.public_payments.flows import IVAN_ACCOUNT, PETR_ACCOUNT, look_up, pay_public


async def _site_counters() -> dict[str, int]:
    rows = await models.RateCounter.filter(key__startswith="sitepay:")
    return {row.key.split("@")[0].rsplit(":", 1)[0]: row.count for row in rows}


async def test_thirty_concurrent_creates_with_one_key_make_one_payment(client):
    token = (await look_up(client))["payToken"]

    payloads = await asyncio.gather(*(pay_public(client, token, key="same") for _ in range(30)))

    assert all(p["errors"] == [] for p in payloads), payloads
    assert len({p["payment"]["id"] for p in payloads}) == 1
    assert len({p["capability"] for p in payloads}) == 1
    assert await models.Payment.filter(channel="site").count() == 1
    assert await models.PaymentLine.filter(payment__channel="site").count() == 2
    # One payment took one try of each limit: the requests that lost the race gave theirs back.
    assert await _site_counters() == {"sitepay:source": 1, "sitepay:account": 1}


async def test_thirty_concurrent_creates_with_one_token_and_different_keys_pay_once(client):
    token = (await look_up(client))["payToken"]

    payloads = await asyncio.gather(*(pay_public(client, token, key=f"k{i}") for i in range(30)))

    made = [p for p in payloads if not p["errors"]]
    refused = [p for p in payloads if p["errors"]]
    assert len(made) == 1 and len(refused) == 29
    assert {(e["code"], e["field"]) for p in refused for e in p["errors"]} == {
        ("PAY_TOKEN_USED", "input.payToken")
    }
    assert await models.Payment.filter(channel="site").count() == 1


async def test_an_account_gets_its_hourly_payments_without_signing_in(client):
    tokens = [(await look_up(client, IVAN_ACCOUNT))["payToken"] for _ in range(7)]

    payloads = await asyncio.gather(*(pay_public(client, t, key="k") for t in tokens))

    limited = [p for p in payloads if p["errors"]]
    assert len(limited) == 7 - site.PER_ACCOUNT_HOUR
    assert {(e["code"], e["field"]) for p in limited for e in p["errors"]} == {
        ("RATE_LIMITED", "input.payToken")
    }
    assert all("час" in p["errors"][0]["message"] for p in limited)
    assert await models.Payment.filter(channel="site").count() == site.PER_ACCOUNT_HOUR
    # A refused try takes nothing from the source's limit, and registers nothing.
    assert await _site_counters() == {
        "sitepay:source": site.PER_ACCOUNT_HOUR,
        "sitepay:account": site.PER_ACCOUNT_HOUR,
    }
    # Another account is not held back by this one.
    other = (await look_up(client, PETR_ACCOUNT))["payToken"]
    assert (await pay_public(client, other, lines=[("ELECTRICITY", "1.00")]))["errors"] == []


def _copy(row, **changes) -> dict:
    """A row's columns (not its id) with some changed: the fields of a copy."""
    fields = {k: v for k, v in row.__dict__.items() if not k.startswith("_") and k != "id"}
    return fields | changes


async def _more_accounts(count: int) -> list[str]:
    """Copies of Petr's account (services and latest statement), as billing would import them."""
    petr = await models.Account.get(number=PETR_ACCOUNT)
    services = await models.AccountService.filter(account_id=petr.id)
    statement = await models.Statement.filter(account_id=petr.id).order_by("-period").first()
    assert statement is not None
    lines = await models.StatementLine.filter(statement_id=statement.id)
    numbers = []
    for i in range(count):
        account = await models.Account.create(**_copy(petr, number=f"6620900{i:04d}"))
        for row in services:
            await models.AccountService.create(**_copy(row, account_id=account.id))
        copy = await models.Statement.create(**_copy(statement, account_id=account.id))
        for line in lines:
            await models.StatementLine.create(**_copy(line, statement_id=copy.id))
        numbers.append(account.number)
    return numbers


async def test_one_source_gets_its_hourly_payments_of_any_accounts(client):
    per_account = site.PER_ACCOUNT_HOUR
    numbers = await _more_accounts(site.PER_SOURCE_HOUR // per_account + 1)
    tokens = [
        (await look_up(client, number))["payToken"]
        for number in numbers
        for _ in range(per_account)
    ][: site.PER_SOURCE_HOUR + 2]

    payloads = await asyncio.gather(
        *(pay_public(client, t, lines=[("ELECTRICITY", "1.00")]) for t in tokens)
    )

    codes = [p["errors"][0]["code"] if p["errors"] else "OK" for p in payloads]
    assert codes.count("OK") == site.PER_SOURCE_HOUR
    assert codes.count("RATE_LIMITED") == 2
    counters = await models.RateCounter.filter(key__startswith="sitepay:source:")
    assert [row.count for row in counters] == [site.PER_SOURCE_HOUR]
