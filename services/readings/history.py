"""Reading history of an account: every source, newest first, as a cursor-paginated page."""

from __future__ import annotations

from datetime import date

import models
from services.pagination import Page, Rows, history_window, keyset_page
from services.readings.loaders import period_start_by_register
from services.readings.views import ReadingView, reading_view
from settings import Settings


async def history(
    settings: Settings,
    *,
    account: models.Account,
    kind: models.MeterKind | None,
    from_: date | None,
    to: date | None,
    first: int | None,
    after: str | None,
) -> Page[ReadingView]:
    """Every reading of the account's meters, whatever its source, newest first; `from` and `to`
    are days of the retailer's calendar, both included."""
    size, since, until = history_window(first, from_, to, settings.timezone)
    sql = (
        "SELECT r.*, m.serial_number AS meter_serial_number, g.zone AS register_zone "
        "FROM reading r JOIN meter_register g ON g.id = r.register_id "
        "JOIN meter m ON m.id = g.meter_id WHERE m.account_id = $1"
    )
    values: tuple[object, ...] = (account.id,)
    if kind is not None:
        sql += " AND m.kind = $2"
        values += (models.MeterKind(kind).value,)
    page = await keyset_page(
        Rows(models.Reading, sql, values, alias="r"),
        moment="taken_at",
        since=since,
        until=until,
        size=size,
        after=after,
        parse_id=int,
    )
    joined = [(row.pop("meter_serial_number"), row.pop("register_zone")) for row in page.items]
    rows = [models.Reading._init_from_db(**row) for row in page.items]
    starts = await period_start_by_register([(r.register_id, r.period) for r in rows])
    return page.holding(
        [
            reading_view(row, serial_number=serial, zone=zone, previous=previous)
            for row, (serial, zone), previous in zip(rows, joined, starts, strict=True)
        ]
    )
