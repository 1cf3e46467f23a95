"""requestEbill / confirmEbill: from the site without signing in, the account number, the proof
of holding the bill («Итого к оплате»), a solved security code and an e-mail confirmed by a link
(its page changes nothing; its button does)."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import models
from devdata.demo import IVAN_ACCOUNT, PETR_ACCOUNT
from services.ebill import site, subscriptions
from tests.ebill.conftest import body_of, sent_copy
from tests.ebill.flows import (
    ACCOUNT_EBILL,
    CONFIRM,
    REQUEST,
    enable,
    latest_total,
    link_in,
    path_of,
    request,
    token_of,
)
from tests.identity.flows import BILL_TOTALS, NEW_ACCOUNT, new_account

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
    unknown = await request(client, "66299999999", ADDRESS, "164.40")
    bad = await request(client, IVAN_ACCOUNT, "<img src=x onerror=alert(1)>@example.ru")
    empty = await request(client, IVAN_ACCOUNT, " ")

    assert [(e["code"], e["field"]) for e in unknown["errors"]] == [("NOT_FOUND", "billTotal")]
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
        await request(client, f"662999{i:05d}", f"guess{i}@example.ru", "164.40")
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


def cent_more(total: str) -> str:
    return str(Decimal(total) + Decimal("0.01"))


async def nothing_sent() -> None:
    assert await models.EbillRequest.all().count() == 0
    assert await models.OutgoingMessage.all().count() == 0


async def test_the_newest_and_the_third_totals_prove_the_bill_the_fourth_does_not(
    client, mailbox
):
    await new_account()
    assert (await request(client, NEW_ACCOUNT, "p0@example.ru", BILL_TOTALS[0]))["ok"]
    assert (await request(client, NEW_ACCOUNT, "p2@example.ru", BILL_TOTALS[2]))["ok"]

    old = await request(client, NEW_ACCOUNT, "p3@example.ru", BILL_TOTALS[3])

    assert [(e["code"], e["field"]) for e in old["errors"]] == [("NOT_FOUND", "billTotal")]
    assert await models.EbillRequest.all().count() == 2


async def test_a_wrong_total_is_refused_and_nothing_is_sent(client, mailbox):
    wrong = await request(
        client, IVAN_ACCOUNT, ADDRESS, cent_more(await latest_total(IVAN_ACCOUNT))
    )

    assert [(e["code"], e["field"]) for e in wrong["errors"]] == [("NOT_FOUND", "billTotal")]
    assert wrong["ok"] is False
    await nothing_sent()
    # A subscription that exists is not replaced either.
    ivan = await client.login("Ivan", "Ivan12345")
    await enable(client, ivan)
    await request(client, IVAN_ACCOUNT, "other@example.ru", "0.01")
    row = await models.EbillSubscription.get(account__number=IVAN_ACCOUNT)
    assert (row.email, row.version) == ("ivanov@ivan.ru", 1)
    assert await models.EbillRequest.all().count() == 0


async def test_malformed_totals_spend_no_try(client, mailbox):
    for bad in ("12.345", "NaN", "-Infinity", "1e30", "1" * 5000):
        body = await client.post(REQUEST, {"n": IVAN_ACCOUNT, "total": bad, "email": ADDRESS})
        # The Decimal scalar refuses some itself (a typed GraphQL error), the rule the rest.
        errors = [e["extensions"] for e in body.get("errors") or []] or (
            body["data"]["requestEbill"]["errors"]
        )
        assert [(e["code"], e["field"]) for e in errors] == [("INVALID_INPUT", "billTotal")], bad
    assert await models.RateCounter.filter(key__startswith="ebill:").count() == 0
    await nothing_sent()


async def test_unknown_number_no_bill_and_wrong_total_answer_byte_identical(client, mailbox):
    await new_account(bills=())
    wrong_total = cent_more(await latest_total(IVAN_ACCOUNT))
    cases = [
        ("66299999999", "164.40"),  # no such account
        (NEW_ACCOUNT, "164.40"),  # an account without any statement
        (IVAN_ACCOUNT, wrong_total),  # a real account, a wrong total
    ]
    bodies = []
    for i, (number, total) in enumerate(cases):
        variables = {"n": number, "total": total, "email": f"probe{i}@example.ru"}
        response = await client.http.post(
            "/graphql", json={"query": REQUEST, "variables": variables}
        )
        assert response.status == 200
        bodies.append(await response.read())

    assert bodies[0] == bodies[1] == bodies[2], bodies
    assert b"NOT_FOUND" in bodies[0] and b"billTotal" in bodies[0]
    # Each spent the same tries: its number's, its address's and the source's.
    assert await models.RateCounter.filter(key__startswith="ebill:account:").count() == 3
    assert await models.RateCounter.filter(key__startswith="ebill:email:").count() == 3
    await nothing_sent()


async def test_thirty_wrong_totals_at_once_are_judged_at_most_the_accounts_limit(client, mailbox):
    wrong = cent_more(await latest_total(IVAN_ACCOUNT))

    results = await asyncio.gather(
        *(request(client, IVAN_ACCOUNT, f"guess{i}@example.ru", wrong) for i in range(30))
    )

    codes = [e["code"] for r in results for e in r["errors"]]
    assert len(codes) == 30
    assert codes.count("NOT_FOUND") == site.PER_ACCOUNT_DAY
    assert codes.count("RATE_LIMITED") == 30 - site.PER_ACCOUNT_DAY
    # The account's tries are spent for the day: even the right total waits till tomorrow.
    right = await request(client, IVAN_ACCOUNT, "late@example.ru")
    assert [e["code"] for e in right["errors"]] == ["RATE_LIMITED"]
    await nothing_sent()
