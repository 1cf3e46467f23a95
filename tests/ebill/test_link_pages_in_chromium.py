"""The electronic bill's link pages in headless Chromium: opening one (as a mail scanner's
browser does) calls nothing and changes nothing; its button does what it says."""

from __future__ import annotations

from pathlib import Path

import models
from devdata.demo import IVAN_ACCOUNT
from routes.pages import PAGE_CSP
from services.ebill import site, subscriptions
from tests.ebill.conftest import body_of
from tests.ebill.flows import enable, import_statements, link_in, request, statement
from tests.pages.links import browse

IVAN_EMAIL = "ivanov@ivan.ru"


async def test_confirmation_page_subscribes_only_when_pressed(
    client, mailbox, node, chromium, tmp_path: Path
):
    await request(client, IVAN_ACCOUNT, "sidorov@example.ru")
    [message] = await mailbox.wait_for(1, address="sidorov@example.ru")
    link = link_in(body_of(message), site.CONFIRM_PATH)

    scanned = await browse(node, chromium, "scan", link, tmp_path / "scan.png")
    assert scanned["problems"] == [], scanned
    assert scanned["api"] == [] and scanned["buttons"] == ["Подтвердить"]
    assert await models.EbillSubscription.all().count() == 0

    seen = await browse(
        node,
        chromium,
        "press",
        link,
        tmp_path / "confirm.png",
        button="Подтвердить",
        heading="Адрес подтверждён",
    )

    assert seen["problems"] == [], seen
    assert seen["status"] == 200 and seen["csp"] == PAGE_CSP
    assert seen["api"] == ["ConfirmEbill"]
    assert IVAN_ACCOUNT in seen["done"] and "sidorov@example.ru" in seen["done"]
    row = await models.EbillSubscription.get(account__number=IVAN_ACCOUNT)
    assert (row.active, row.email) == (True, "sidorov@example.ru")


async def test_opt_out_page_stops_the_bills_only_when_pressed(
    client, mailbox, integration, billing_key, node, chromium, tmp_path: Path
):
    ivan = await client.login("Ivan", "Ivan12345")
    await enable(client, ivan)
    await import_statements(integration, billing_key, statement("2027-01-01"))
    [message] = await mailbox.wait_for(1, address=IVAN_EMAIL)
    link = link_in(body_of(message), subscriptions.STOP_PATH)

    scanned = await browse(node, chromium, "scan", link, tmp_path / "scan.png")
    assert scanned["problems"] == [], scanned
    assert scanned["api"] == []
    assert (await models.EbillSubscription.get(account__number=IVAN_ACCOUNT)).active is True

    seen = await browse(
        node,
        chromium,
        "press",
        link,
        tmp_path / "stop.png",
        button="Отказаться от электронной квитанции",
        heading="Вы отказались от электронной квитанции",
    )

    assert seen["problems"] == [], seen
    assert seen["api"] == ["StopEbill"]
    assert IVAN_ACCOUNT in seen["done"] and "iv***@ivan.ru" in seen["done"]
    assert (await models.EbillSubscription.get(account__number=IVAN_ACCOUNT)).active is False
