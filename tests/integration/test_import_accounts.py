"""Accounts with services and meters: created, unchanged on a re-run, updated, refused."""

from __future__ import annotations

import copy

import models

IMPORT_ACCOUNTS = """
mutation Import($items: [AccountInput!]!) {
  importAccounts(items: $items) {
    created updated unchanged refused
    items { index key status reason field }
  }
}
"""
SUPPLIER, RECIPIENT = "6623121212", "6623029538"


def account(number: str, **changes) -> dict:
    item = {
        "number": number,
        "holderName": "Сидоров Сидор Сидорович",
        "address": "г Нижний Тагил, ул Ленина, д. 7, кв. 3",
        "city": "Нижний Тагил",
        "services": [
            {"code": "ELECTRICITY", "supplierInn": SUPPLIER, "recipientInn": RECIPIENT},
            {"code": "ELECTRICITY_COMMON", "supplierInn": SUPPLIER, "recipientInn": RECIPIENT},
        ],
        "meters": [
            {
                "serialNumber": f"M{number}",
                "serviceCode": "ELECTRICITY",
                "nextVerificationDate": "2031-05-01",
                "registers": [{"zone": "DAY", "description": "День"}, {"zone": "NIGHT"}],
            }
        ],
    }
    item.update(changes)
    return item


async def test_import_accounts_creates_services_meters_and_registers(integration, billing_key):
    data = await integration.execute(
        IMPORT_ACCOUNTS, {"items": [account("66200000100")]}, key=billing_key
    )

    assert data["importAccounts"]["created"] == 1
    stored = await models.Account.get(number="66200000100")
    services = await models.AccountService.filter(account=stored).order_by("id")
    assert [s.meter_count for s in services] == [1, 0]
    meter = await models.Meter.get(account=stored)
    registers = await models.MeterRegister.filter(meter=meter).order_by("position")
    assert [(r.zone, r.description) for r in registers] == [
        (models.MeterZone.DAY, "День"),
        (models.MeterZone.NIGHT, "Ночь"),
    ]


async def test_reimporting_accounts_changes_nothing(integration, billing_key):
    items = {"items": [account("66200000100"), account("66200000101")]}
    await integration.execute(IMPORT_ACCOUNTS, items, key=billing_key)
    counts = [
        await m.all().count()
        for m in (models.Account, models.AccountService, models.Meter, models.MeterRegister)
    ]

    data = await integration.execute(IMPORT_ACCOUNTS, items, key=billing_key)

    result = data["importAccounts"]
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 0, 2)
    assert counts == [
        await m.all().count()
        for m in (models.Account, models.AccountService, models.Meter, models.MeterRegister)
    ]


async def test_import_accounts_updates_what_changed(integration, billing_key):
    original = account("66200000100")
    await integration.execute(IMPORT_ACCOUNTS, {"items": [original]}, key=billing_key)
    changed = copy.deepcopy(original)
    changed["holderName"] = "Сидорова Анна Ивановна"
    changed["services"] = changed["services"][:1]
    changed["meters"][0]["registers"].append({"zone": "PEAK"})

    data = await integration.execute(IMPORT_ACCOUNTS, {"items": [changed]}, key=billing_key)

    assert data["importAccounts"]["items"][0]["status"] == "UPDATED"
    stored = await models.Account.get(number="66200000100")
    assert stored.holder_name == "Сидорова Анна Ивановна"
    assert await models.AccountService.filter(account=stored).count() == 1
    assert await models.MeterRegister.filter(meter__account=stored).count() == 3


async def test_import_accounts_refuses_bad_items_and_imports_the_rest(integration, billing_key):
    unknown_service = account("66200000102")
    unknown_service["services"][1]["code"] = "WATER"
    unknown_supplier = account("66200000103")
    unknown_supplier["services"][0]["supplierInn"] = "7700000000"
    meter_of_other_service = account("66200000104")
    meter_of_other_service["meters"][0]["serviceCode"] = "GAS"
    items = [
        unknown_service,
        account("66200000100"),
        unknown_supplier,
        meter_of_other_service,
        account("abc"),
        account("66200000100", holderName="Повтор"),
    ]

    data = await integration.execute(IMPORT_ACCOUNTS, {"items": items}, key=billing_key)

    results = data["importAccounts"]["items"]
    assert [r["status"] for r in results] == [
        "REFUSED",
        "CREATED",
        "REFUSED",
        "REFUSED",
        "REFUSED",
        "REFUSED",
    ]
    assert results[0]["field"] == "services.1.code"
    assert results[2]["field"] == "services.0.supplier_inn"
    assert results[3]["field"] == "meters.0.service_code"
    assert results[4]["field"] == "number"
    assert "повторяет позицию 1" in results[5]["reason"]
    assert await models.Account.filter(number__startswith="662000001").count() == 1
    assert (await models.Account.get(number="66200000100")).holder_name != "Повтор"
