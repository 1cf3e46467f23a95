"""Tariff rates per service, zone and the date they apply from."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from tortoise.transactions import in_transaction

import models
from models.decimals import RATE
from services.integration import fields as f
from services.integration.batch import Batch, upsert_flat
from services.integration.catalog import services_by_code
from services.integration.results import ItemResult


def parse(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "service_code": f.required_text(data, "service_code", max_length=32).upper(),
        "zone": f.choice(data, "zone", models.MeterZone),
        "valid_from": f.day(data, "valid_from"),
        "rate": f.required_decimal(data, "rate", RATE, positive=True),
    }


def batch_key(row: dict[str, Any]) -> tuple[str, str, Any]:
    return (row["service_code"], row["zone"].value, row["valid_from"])


async def apply_tariffs(batch: Batch[dict[str, Any]]) -> list[ItemResult]:
    parsed = batch.parsed
    async with in_transaction():
        service_ids = await services_by_code({p.row["service_code"] for p in parsed})
        entries = []
        for p in parsed:
            service_id = service_ids.get(p.row["service_code"])
            if service_id is None:
                batch.refuse(p, "неизвестная услуга", "service_code")
                continue
            values = {
                "service_id": service_id,
                "zone": p.row["zone"],
                "valid_from": p.row["valid_from"],
                "rate": p.row["rate"],
            }
            entries.append((p, values))
        rows = await models.TariffRate.filter(
            service_id__in=set(service_ids.values()),
            valid_from__in={p.row["valid_from"] for p, _ in entries},
        )
        codes = {v: k for k, v in service_ids.items()}
        existing: dict[Hashable, models.TariffRate] = {
            (codes[r.service_id], r.zone.value, r.valid_from): r for r in rows
        }
        await upsert_flat(batch, models.TariffRate, entries, existing)
    return batch.finish()
