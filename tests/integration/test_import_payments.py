"""Payments made elsewhere: stored SUCCEEDED and offline, keyed by external id."""

from __future__ import annotations

from decimal import Decimal

import models
from devdata.demo import IVAN_ACCOUNT

IMPORT_PAYMENTS = """
mutation Import($items: [ExternalPaymentInput!]!) {
  importPayments(items: $items) {
    created updated unchanged refused
    items { index key status reason field }
  }
}
"""


def payment(external_id: str, **changes) -> dict:
    item = {
        "externalId": external_id,
        "accountNumber": IVAN_ACCOUNT,
        "amount": "272.09",
        "channel": "ПАО Сбербанк",
        "paidAt": "2026-11-10T12:30:00+05:00",
        "period": "2026-10-01",
        "lines": [
            {"serviceCode": "ELECTRICITY", "amount": "169.95"},
            {"serviceCode": "ELECTRICITY_COMMON", "amount": "102.14"},
        ],
    }
    item.update(changes)
    return item


async def test_import_payment_then_rerun_changes_nothing(integration, billing_key):
    items = {"items": [payment("sber-1")]}

    first = await integration.execute(IMPORT_PAYMENTS, items, key=billing_key)
    again = await integration.execute(IMPORT_PAYMENTS, items, key=billing_key)

    assert first["importPayments"]["created"] == 1
    assert again["importPayments"]["unchanged"] == 1
    stored = await models.Payment.get(external_id="sber-1").select_related("account")
    assert stored.account.number == IVAN_ACCOUNT
    assert stored.status == models.PaymentStatus.SUCCEEDED
    assert (stored.provider, stored.channel, stored.method) == ("offline", "ПАО Сбербанк", None)
    assert stored.created_at == stored.paid_at
    lines = await models.PaymentLine.filter(payment=stored).select_related("recipient")
    assert sorted(ln.amount for ln in lines) == [Decimal("102.14"), Decimal("169.95")]
    assert {ln.recipient.inn for ln in lines} == {"6623029538"}


async def test_import_payment_updates_a_corrected_payment(integration, billing_key):
    await integration.execute(IMPORT_PAYMENTS, {"items": [payment("sber-1")]}, key=billing_key)
    corrected = payment(
        "sber-1", amount="169.95", lines=[{"serviceCode": "ELECTRICITY", "amount": "169.95"}]
    )

    data = await integration.execute(IMPORT_PAYMENTS, {"items": [corrected]}, key=billing_key)

    assert data["importPayments"]["items"][0]["status"] == "UPDATED"
    stored = await models.Payment.get(external_id="sber-1")
    assert stored.amount == Decimal("169.95")
    assert await models.PaymentLine.filter(payment=stored).count() == 1


async def test_import_payments_refuses_bad_items(integration, billing_key):
    items = [
        payment("p-1", accountNumber="66299999999"),
        payment("p-2", amount="300.00"),
        payment("p-3", paidAt="2026-11-10T12:30:00"),
        payment("p-4", lines=[{"serviceCode": "GAS", "amount": "272.09"}]),
        payment("p-5", amount="-1", lines=[]),
        payment("p-6", lines=[]),
    ]

    data = await integration.execute(IMPORT_PAYMENTS, {"items": items}, key=billing_key)

    results = data["importPayments"]["items"]
    assert [r["status"] for r in results] == ["REFUSED"] * 5 + ["CREATED"]
    assert [r["field"] for r in results[:5]] == [
        "account_number",
        "lines",
        "paid_at",
        "lines.0",
        "amount",
    ]
    assert await models.Payment.filter(external_id__startswith="p-").count() == 1
