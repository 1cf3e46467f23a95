"""enableEbill / disableEbill: signed in, for one of the user's accounts, to the confirmed
e-mail; Account.ebill shows the state."""

from __future__ import annotations

import asyncio

import models
from devdata.demo import IVAN_ACCOUNT, PETR_ACCOUNT
from services.identity import profile
from tests.ebill.conftest import body_of
from tests.ebill.flows import ACCOUNT_EBILL, DISABLE, ENABLE, enable, link_in, token_of
from tests.pages.links import CHANGE_EMAIL, CONFIRM_EMAIL


async def test_enable_sends_bills_to_the_confirmed_email_and_the_account_shows_it(client):
    ivan = await client.login("Ivan", "Ivan12345")

    result = await enable(client, ivan)

    assert result["errors"] == []
    assert result["ebill"]["enabled"] is True
    assert result["ebill"]["email"] == "ivanov@ivan.ru"
    assert result["ebill"]["source"] == "CABINET"
    shown = await client.execute(ACCOUNT_EBILL, {"n": IVAN_ACCOUNT}, token=ivan)
    assert shown["account"]["ebill"] == result["ebill"]
    row = await models.EbillSubscription.get(account__number=IVAN_ACCOUNT)
    assert (row.active, row.email, row.version) == (True, "ivanov@ivan.ru", 1)


async def test_disable_goes_back_to_paper(client):
    ivan = await client.login("Ivan", "Ivan12345")
    await enable(client, ivan)

    result = (await client.execute(DISABLE, {"n": IVAN_ACCOUNT}, token=ivan))["disableEbill"]

    assert result == {
        "ebill": {"enabled": False, "email": None, "since": None, "source": None},
        "errors": [],
    }
    shown = await client.execute(ACCOUNT_EBILL, {"n": IVAN_ACCOUNT}, token=ivan)
    assert shown["account"]["ebill"]["enabled"] is False
    row = await models.EbillSubscription.get(account__number=IVAN_ACCOUNT)
    assert row.active is False and row.stopped_at is not None


async def test_enable_without_a_confirmed_email_is_refused(client):
    await models.User.filter(login="Ivan").update(email_confirmed=False)
    ivan = await client.login("Ivan", "Ivan12345")

    result = await enable(client, ivan)

    assert result["ebill"] is None
    assert [(e["code"], e["field"]) for e in result["errors"]] == [("REQUIRED", "email")]
    assert await models.EbillSubscription.all().count() == 0


async def test_another_users_account_and_no_sign_in_are_refused(client):
    petr = await client.login("Petr", "Petr12345")

    foreign = await client.execute(ENABLE, {"n": IVAN_ACCOUNT}, token=petr)
    foreign_off = await client.execute(DISABLE, {"n": IVAN_ACCOUNT}, token=petr)
    anonymous = await client.execute(ENABLE, {"n": IVAN_ACCOUNT})

    assert [e["code"] for e in foreign["enableEbill"]["errors"]] == ["NOT_FOUND"]
    assert [e["code"] for e in foreign_off["disableEbill"]["errors"]] == ["NOT_FOUND"]
    assert [e["code"] for e in anonymous["enableEbill"]["errors"]] == ["UNAUTHENTICATED"]
    assert await models.EbillSubscription.all().count() == 0


async def test_hostile_account_numbers_answer_not_found(client):
    petr = await client.login("Petr", "Petr12345")

    for number in ("", "9" * 5000, "<script>alert(1)</script>", "66200000001' OR 1=1 --"):
        result = (await client.execute(ENABLE, {"n": number}, token=petr))["enableEbill"]
        assert [e["code"] for e in result["errors"]] == ["NOT_FOUND"]
    assert await models.EbillSubscription.all().count() == 0


async def test_thirty_enables_at_once_leave_one_subscription(client):
    petr = await client.login("Petr", "Petr12345")

    results = await asyncio.gather(*(enable(client, petr, PETR_ACCOUNT) for _ in range(30)))

    assert all(r["errors"] == [] and r["ebill"]["enabled"] for r in results)
    rows = await models.EbillSubscription.all()
    assert len(rows) == 1 and rows[0].version == 1


async def test_bills_ordered_in_the_cabinet_follow_the_profiles_new_email(client, mailbox):
    ivan = await client.login("Ivan", "Ivan12345")
    await enable(client, ivan)
    changed = await client.execute(
        CHANGE_EMAIL, {"email": "ivan.new@example.ru", "current": "Ivan12345"}, token=ivan
    )
    assert changed["changeEmail"]["errors"] == []
    [message] = await mailbox.wait_for(1, address="ivan.new@example.ru")
    token = token_of(link_in(body_of(message), profile.EMAIL_LINK_PATH))

    await client.execute(CONFIRM_EMAIL, {"token": token})

    shown = await client.execute(ACCOUNT_EBILL, {"n": IVAN_ACCOUNT}, token=ivan)
    assert shown["account"]["ebill"]["email"] == "ivan.new@example.ru"
    row = await models.EbillSubscription.get(account__number=IVAN_ACCOUNT)
    assert row.email == "ivan.new@example.ru"
