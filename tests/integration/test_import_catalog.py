"""Providers, services and tariff rates: created, unchanged on a re-run, updated, refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import models

IMPORT_PROVIDERS = """
mutation Import($items: [ProviderInput!]!) {
  importProviders(items: $items) {
    created updated unchanged refused
    items { index key status reason field }
    errors { code }
  }
}
"""
IMPORT_TARIFFS = """
mutation Import($items: [TariffRateInput!]!) {
  importTariffRates(items: $items) {
    created updated unchanged refused
    items { index key status reason field }
  }
}
"""
NEW_PROVIDER = {
    "inn": "6623000001",
    "name": 'ООО "УК Тагилстрой"',
    "kpp": "662301001",
    "bankName": 'ПАО "СБЕРБАНК РОССИИ"',
    "bic": "046577674",
    "settlementAccount": "40702810416540099999",
    "correspondentAccount": "30101810500000000674",
}
DEMO_RECIPIENT = {
    "inn": "6623029538",
    "name": 'АО "Нижнетагильская Энергосбытовая компания"',
    "kpp": "662301001",
    "bankName": 'ПАО "СБЕРБАНК РОССИИ"',
    "bic": "046577674",
    "settlementAccount": "40702810916020101550",
    "correspondentAccount": "30101810500000000674",
}


async def test_import_providers_then_rerun_changes_nothing(integration, billing_key):
    items = {"items": [NEW_PROVIDER, DEMO_RECIPIENT]}

    first = (await integration.execute(IMPORT_PROVIDERS, items, key=billing_key))["importProviders"]
    again = (await integration.execute(IMPORT_PROVIDERS, items, key=billing_key))["importProviders"]

    assert [i["status"] for i in first["items"]] == ["CREATED", "UNCHANGED"]
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    stored = await models.Provider.get(inn="6623000001")
    assert stored.settlement_account == "40702810416540099999"


async def test_import_providers_updates_bank_details(integration, billing_key):
    changed = dict(DEMO_RECIPIENT, bic="046577999")

    data = await integration.execute(IMPORT_PROVIDERS, {"items": [changed]}, key=billing_key)

    assert data["importProviders"]["items"][0]["status"] == "UPDATED"
    assert (await models.Provider.get(inn="6623029538")).bic == "046577999"


async def test_import_providers_refuses_bad_and_duplicate_items(integration, billing_key):
    bad_inn = dict(NEW_PROVIDER, inn="12345")
    other = dict(NEW_PROVIDER, inn="6623000002")
    duplicate = dict(other, name="Другое имя")

    data = await integration.execute(
        IMPORT_PROVIDERS, {"items": [bad_inn, other, duplicate]}, key=billing_key
    )

    items = data["importProviders"]["items"]
    assert [(i["index"], i["status"]) for i in items] == [
        (0, "REFUSED"),
        (1, "CREATED"),
        (2, "REFUSED"),
    ]
    assert items[0]["field"] == "inn" and "ИНН" in items[0]["reason"]
    assert "повторяет позицию 1" in items[2]["reason"]
    assert not await models.Provider.filter(inn="12345").exists()
    assert (await models.Provider.get(inn="6623000002")).name == NEW_PROVIDER["name"]


async def test_import_tariffs_keyed_by_service_zone_and_date(integration, billing_key):
    items = [
        {"serviceCode": "ELECTRICITY", "zone": "DAY", "validFrom": "2027-01-01", "rate": "5.86"},
        {"serviceCode": "ELECTRICITY", "zone": "NIGHT", "validFrom": "2027-01-01", "rate": "3.12"},
        {"serviceCode": "WATER", "zone": "SINGLE", "validFrom": "2027-01-01", "rate": "40"},
    ]

    first = await integration.execute(IMPORT_TARIFFS, {"items": items}, key=billing_key)
    items[1]["rate"] = "3.2"
    second = await integration.execute(IMPORT_TARIFFS, {"items": items}, key=billing_key)

    assert [i["status"] for i in first["importTariffRates"]["items"]] == [
        "CREATED",
        "CREATED",
        "REFUSED",
    ]
    assert first["importTariffRates"]["items"][2]["reason"] == "неизвестная услуга"
    assert [i["status"] for i in second["importTariffRates"]["items"]] == [
        "UNCHANGED",
        "UPDATED",
        "REFUSED",
    ]
    night = await models.TariffRate.get(
        service__code="ELECTRICITY", zone=models.MeterZone.NIGHT, valid_from=date(2027, 1, 1)
    )
    assert night.rate == Decimal("3.2")
