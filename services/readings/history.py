"""Reading history of an account: every source, newest first, as a cursor-paginated page."""

from __future__ import annotations

from datetime import date

import models
from services import periods
from services.errors import reversed_range
from services.pagination import Page, keyset_page, page_size
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
    size = page_size(first)
    if from_ and to and from_ > to:
        raise reversed_range()
    query = models.Reading.filter(register__meter__account_id=account.id)
    if kind is not None:
        query = query.filter(register__meter__kind=models.MeterKind(kind))
    since, until = periods.local_day_range(from_, to, settings.timezone)
    page = await keyset_page(
        query.select_related("register__meter"),
        moment="taken_at",
        since=since,
        until=until,
        size=size,
        after=after,
        parse_id=int,
    )
    rows = page.items
    starts = await period_start_by_register([(r.register_id, r.period) for r in rows])
    views = [
        reading_view(
            row,
            serial_number=row.register.meter.serial_number,
            zone=row.register.zone,
            previous=previous,
        )
        for row, previous in zip(rows, starts, strict=True)
    ]
    return Page(
        items=views,
        cursors=page.cursors,
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
    )
