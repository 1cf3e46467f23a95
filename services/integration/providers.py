"""Providers (suppliers and recipients of money) with their bank details, keyed by INN."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import models
from services.integration import fields as f
from services.integration.batch import Batch, apply_keyed, import_keyed
from services.integration.results import Item, ItemResult


def parse(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "inn": f.inn(data, "inn"),
        "name": f.required_text(data, "name", max_length=255),
        "kpp": f.digits(data, "kpp", lengths=(9,), required=False),
        "bank_name": f.text(data, "bank_name", max_length=255, required=False),
        "bic": f.digits(data, "bic", lengths=(9,), required=False),
        "settlement_account": f.digits(data, "settlement_account", lengths=(20,), required=False),
        "correspondent_account": f.digits(
            data, "correspondent_account", lengths=(20,), required=False
        ),
    }


async def import_providers(items: Sequence[Item]) -> list[ItemResult]:
    return await import_keyed(items, parse, models.Provider, "inn")


async def apply_providers(batch: Batch[dict[str, Any]]) -> list[ItemResult]:
    return await apply_keyed(batch, models.Provider, "inn")
