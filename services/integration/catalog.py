"""Services (электроэнергия, ОДН, ...), keyed by code."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import models
from services.integration import fields as f
from services.integration.batch import Batch, apply_keyed, import_keyed
from services.integration.results import Item, ItemResult

CODE = re.compile(r"^[A-Z0-9_]{1,32}$")


def parse(data: dict[str, Any]) -> dict[str, Any]:
    code = f.required_text(data, "code", max_length=32).upper()
    if not CODE.match(code):
        raise f.Invalid("поле code: латинские буквы, цифры и _", "code")
    return {
        "code": code,
        "name": f.required_text(data, "name", max_length=255),
        "unit": f.text(data, "unit", max_length=16, required=False) or "кВт·ч",
    }


async def import_services(items: Sequence[Item]) -> list[ItemResult]:
    return await import_keyed(items, parse, models.Service, "code")


async def apply_services(batch: Batch[dict[str, Any]]) -> list[ItemResult]:
    return await apply_keyed(batch, models.Service, "code")


async def services_by_code(codes: set[str]) -> dict[str, int]:
    """Ids of the services with these codes (one query)."""
    if not codes:
        return {}
    rows = await models.Service.filter(code__in=codes).values_list("code", "id")
    return dict(rows)
