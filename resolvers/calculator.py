"""The public tariff calculator: no sign-in, no personal data."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from resolvers.common import payload_query
from resolvers.context import Context
from services import tariffs
from services.tariffs import Calculation, CatalogueEntry, ZoneConsumption


@payload_query
async def tariff_calculation(
    ctx: Context, *, service_code: str, on: date | None, zones: Sequence[ZoneConsumption]
) -> Calculation:
    return await tariffs.calculate(
        ctx.rt.settings.timezone, service_code=service_code, on=on, zones=zones
    )


@payload_query
async def tariff_catalogue(ctx: Context, *, on: date | None) -> tuple[date, list[CatalogueEntry]]:
    return await tariffs.catalogue(ctx.rt.settings.timezone, on=on)
