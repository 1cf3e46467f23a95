"""requestEbill / confirmEbill: from the site without signing in, the account number, a solved
security code and an e-mail confirmed by a link (its page changes nothing; its button does)."""

from __future__ import annotations

import asyncio

import models
from devdata.demo import IVAN_ACCOUNT, PETR_ACCOUNT
from services.ebill import site, subscriptions
from tests.ebill.conftest import body_of, sent_copy
from tests.ebill.flows import (
    ACCOUNT_EBILL,
    CONFIRM,
    enable,
    link_in,
    path_of,
    request,
    token_of,
)

ADDRESS = "Sidorov@Example.RU"


async def confirmation_link(mailbox, address: str = "sidorov@example.ru") -> str:
    [message] = await mailbox.wait_for(1, address=address)
    assert message["Subject"] == site.CONFIRM_SUBJECT
    return link_in(body_of(message), site.CONFIRM_PATH)


async def test_opt_in_from_the_site_after_the_link_is_confirmed(client, mailbox):
    result = await request(client, IVAN_ACCOUNT, ADDRESS)
    assert result == {"ok": True, "errors": []}
    link = await confirmation_link(mailbox)
    assert IVAN_ACCOUNT in body_of(mailbox.received[0][1])

    # Opening the link (as a mail scanner does) shows the page and changes nothing.
    page = await client.http.get(path_of(link))
    assert page.status == 200
    assert "Подтвердить" in await page.text()
    assert await models.EbillSubscription.all().count() == 0

    # The page's button.
    confirmed = (await client.execute(CONFIRM, {"token": token_of(link)}))["confirmEbill"]

    assert confirmed == {"accountNumber": IVAN_ACCOUNT, "email": "sidorov@example.ru", "errors": []}
    row = await models.EbillSubscription.get(account__number=IVAN_ACCOUNT)
    assert (row.active, row.email, row.source) == (True, "sidorov@example.ru", "SITE")
    # The holder sees it in the cabinet, the stranger's address masked.
    ivan = await client.login("Ivan", "Ivan12345")
    shown = await client.execute(ACCOUNT_EBILL, {"n": IVAN_ACCOUNT}, token=ivan)
    assert shown["account"]["ebill"]["email"] == "si***@example.ru"
    assert shown["account"]["ebill"]["source"] == "SITE"


async def test_a_confirmation_link_works_once(client, mailbox):
    await request(client, PETR_ACCOUNT, ADDRESS)
    token = token_of(await confirmation_link(mailbox))
    await client.execute(CONFIRM, {"token": token})
    await models.EbillSubscription.filter(account__number=PETR_ACCOUNT).update(active=False)

    replay = (await client.execute(CONFIRM, {"token": token}))["confirmEbill"]

    assert [(e["code"], e["field"]) for e in replay["errors"]] == [("CODE_EXPIRED", "token")]
    assert (await models.EbillSubscription.get(account__number=PETR_ACCOUNT)).active is False


async def test_thirty_confirmations_at_once_subscribe_once(client, mailbox):
    await request(client, PETR_ACCOUNT, ADDRESS)
    token = token_of(await confirmation_link(mailbox))

    results = await asyncio.gather(*(client.execute(CONFIRM, {"token": token}) for _ in range(30)))

    assert sum(not r["confirmEbill"]["errors"] for r in results) == 1
    [row] = await models.EbillSubscription.all()
    assert row.version == 1


async def test_forged_and_garbage_tokens_are_refused(client, mailbox):
    await request(client, PETR_ACCOUNT, ADDRESS)
    token = token_of(await confirmation_link(mailbox))
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    for bad in (forged, "garbage", "", "x" * 20000, "<b>" + token + "</b>"):
        result = (await client.execute(CONFIRM, {"token": bad}))["confirmEbill"]
        assert [e["code"] for e in result["errors"]] == ["INVALID_CODE"], bad[:40]
    assert await models.EbillSubscription.all().count() == 0


async def test_unknown_account_and_bad_addresses_send_nothing(client, mailbox):
    unknown = await request(client, "66299999999", ADDRESS)
    bad = await request(client, IVAN_ACCOUNT, "<img src=x onerror=alert(1)>@example.ru")
    empty = await request(client, IVAN_ACCOUNT, " ")

    assert [(e["code"], e["field"]) for e in unknown["errors"]] == [("NOT_FOUND", "accountNumber")]
    assert [(e["code"], e["field"]) for e in bad["errors"]] == [("INVALID_INPUT", "email")]
    assert [(e["code"], e["field"]) for e in empty["errors"]] == [("REQUIRED", "email")]
    assert await models.EbillRequest.all().count() == 0
    assert await models.OutgoingMessage.all().count() == 0


async def test_thirty_requests_at_once_send_at_most_the_accounts_limit(client, mailbox):
    results = await asyncio.gather(
        *(request(client, IVAN_ACCOUNT, f"person{i}@example.ru") for i in range(30))
    )

    sent = [r for r in results if r["ok"]]
    refused = [r for r in results if not r["ok"]]
    assert len(sent) == site.PER_ACCOUNT_DAY
    assert {e["code"] for r in refused for e in r["errors"]} == {"RATE_LIMITED"}
    assert await models.EbillRequest.all().count() == site.PER_ACCOUNT_DAY
    assert (
        await models.OutgoingMessage.filter(subject=site.CONFIRM_SUBJECT).count()
        == site.PER_ACCOUNT_DAY
    )


async def test_one_address_gets_at_most_its_limit_of_links(client, mailbox):
    numbers = [IVAN_ACCOUNT, PETR_ACCOUNT] * 3

    results = [await request(client, number, ADDRESS) for number in numbers]

    assert [r["ok"] for r in results].count(True) == site.PER_EMAIL_DAY
    assert results[-1]["errors"][0]["field"] == "email"
    assert (
        await models.OutgoingMessage.filter(to="sidorov@example.ru").count() == site.PER_EMAIL_DAY
    )


async def test_unknown_numbers_spend_the_sources_tries(client, mailbox):
    # Guessing account numbers costs what a real request costs: the source's hourly tries.
    results = [
        await request(client, f"662999{i:05d}", f"guess{i}@example.ru")
        for i in range(site.PER_SOURCE_HOUR + 1)
    ]

    codes = [r["errors"][0]["code"] for r in results]
    assert codes == ["NOT_FOUND"] * site.PER_SOURCE_HOUR + ["RATE_LIMITED"]
    assert await models.OutgoingMessage.all().count() == 0


async def test_the_link_is_cut_out_of_the_stored_copy_once_sent(client, mailbox):
    await request(client, IVAN_ACCOUNT, ADDRESS)
    token = token_of(await confirmation_link(mailbox))

    row = await sent_copy(subject=site.CONFIRM_SUBJECT)
    assert token not in row.body and "[удалено]" in row.body


async def test_moving_the_bills_to_another_address_tells_the_previous_one(client, mailbox):
    ivan = await client.login("Ivan", "Ivan12345")
    await enable(client, ivan)
    await request(client, IVAN_ACCOUNT, ADDRESS)
    token = token_of(await confirmation_link(mailbox))

    await client.execute(CONFIRM, {"token": token})

    [notice] = await mailbox.wait_for(1, address="ivanov@ivan.ru")
    assert notice["Subject"] == subscriptions.MOVED_SUBJECT
    assert "si***@example.ru" in body_of(notice) and IVAN_ACCOUNT in body_of(notice)
    row = await models.EbillSubscription.get(account__number=IVAN_ACCOUNT)
    assert (row.email, row.version) == ("sidorov@example.ru", 2)
