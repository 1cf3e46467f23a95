"""Paying without signing in, end to end: the debt look-up, createPublicPayment, the sandbox
acquirer's card page (or the SBP bank app), its signed callback over HTTP, the status pushed to
a subscriber holding only the capability, and the holder's cabinet showing the payment (channel:
the site) with the statement credited once."""

from __future__ import annotations

from decimal import Decimal

import models
from tests.payments.flows import pay_by_card, pay_by_sbp, wait_for_status
from tests.public_payments.flows import (
    FOLLOW,
    IVAN_ACCOUNT,
    RECEIPT_TO,
    created,
    history,
    look_up,
)

SITE = "Сайт энергосбыта"


async def test_card_payment_without_signing_in_end_to_end(client, ivan):
    before = await history(client, ivan)
    debt = await look_up(client)
    assert debt["totalToPay"] == "272.09" and debt["payToken"]

    payload = await created(client, debt["payToken"])
    payment = payload["payment"]
    # The answer carries nothing personal: only what the capability holder sees.
    assert payment["channel"] == SITE and payment["amount"] == "272.09"
    assert payment["accountNumber"] == "•••••••0000" and payment["receiptEmail"] is None
    follow = await client.subscribe(
        FOLLOW, {"id": payment["id"], "capability": payload["capability"]}
    )
    first = (await follow.next())["payload"]["data"]["paymentStatus"]

    page = await pay_by_card(client, payment["confirmationUrl"], "4111 1111 1111 1111")
    pushed = (await follow.next(timeout=10))["payload"]["data"]["paymentStatus"]
    await follow.close()

    assert 'data-status="CONFIRMED"' in page  # the bank's page: paid
    assert first["status"] == "PENDING"
    assert pushed["status"] == "SUCCEEDED" and pushed["paidAt"]
    assert pushed["receiptEmail"] is None and IVAN_ACCOUNT not in pushed["accountNumber"]
    # The holder's cabinet: the payment in the history, channel the site; the statement
    # credited once with each service's amount.
    after = await history(client, ivan)
    nodes = [edge["node"] for edge in after["payments"]["edges"]]
    assert nodes[0] == {
        "id": payment["id"],
        "status": "SUCCEEDED",
        "amount": "272.09",
        "channel": SITE,
        "method": "CARD",
    }
    assert Decimal(after["statement"]["totalToPay"]) == Decimal(
        before["statement"]["totalToPay"]
    ) - Decimal("272.09")
    paid = {line["service"]["code"]: Decimal(line["paid"]) for line in after["statement"]["lines"]}
    paid_before = {
        line["service"]["code"]: Decimal(line["paid"]) for line in before["statement"]["lines"]
    }
    assert paid["ELECTRICITY"] - paid_before["ELECTRICITY"] == Decimal("169.95")
    assert paid["ELECTRICITY_COMMON"] - paid_before["ELECTRICITY_COMMON"] == Decimal("102.14")
    row = await models.Payment.get(id=payment["id"])
    assert row.user_id is None and row.channel == "site"
    receipts = await models.OutgoingMessage.filter(to=RECEIPT_TO)
    assert len(receipts) == 1 and "272.09" in receipts[0].body


async def test_sbp_payment_without_signing_in_is_paid_once(client, ivan):
    before = await history(client, ivan)
    debt = await look_up(client)

    payload = await created(
        client, debt["payToken"], method="SBP", lines=[("ELECTRICITY", "50.00")]
    )
    payment = payload["payment"]
    assert payment["sbpPayload"] and payment["method"] == "SBP"
    await pay_by_sbp(client, payment["sbpPayload"], "success")
    await wait_for_status(payment["id"], "SUCCEEDED")

    after = await history(client, ivan)
    assert after["payments"]["edges"][0]["node"]["channel"] == SITE
    assert Decimal(after["statement"]["totalToPay"]) == Decimal(
        before["statement"]["totalToPay"]
    ) - Decimal("50.00")
    assert await models.OutgoingMessage.filter(to=RECEIPT_TO).count() == 1


async def test_the_holder_follows_a_site_payment_like_their_own(client, ivan):
    debt = await look_up(client)
    payment = (await created(client, debt["payToken"]))["payment"]

    feed = await client.subscribe(FOLLOW, {"id": payment["id"]}, token=ivan)
    seen = (await feed.next())["payload"]["data"]["paymentStatus"]
    await feed.close()

    # Signed in and linked to the account: the personal data as for any payment of theirs.
    assert seen["accountNumber"] == IVAN_ACCOUNT and seen["receiptEmail"] == RECEIPT_TO
    assert seen["channel"] == SITE
