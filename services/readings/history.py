"""Reading history of an account: every source, newest first, as a cursor-paginated page."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tortoise.expressions import Q

import models
from services.errors import DomainError, ErrorCode
from services.pagination import Page, decode_cursor, encode_cursor, page_size
from services.readings import ReadingView, period_start_by_register, reading_view
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
        raise DomainError.of(ErrorCode.INVALID_INPUT, "Начало периода позже его окончания.", "from")
    query = models.Reading.filter(register__meter__account_id=account.id)
    if kind is not None:
        query = query.filter(register__meter__kind=models.MeterKind(kind))
    zone = ZoneInfo(settings.timezone)
    if from_:
        query = query.filter(taken_at__gte=datetime.combine(from_, time(), zone))
    if to:
        query = query.filter(taken_at__lt=datetime.combine(to + timedelta(days=1), time(), zone))
    if after:
        taken_at, reading_id = _position(after)
        query = query.filter(Q(taken_at__lt=taken_at) | Q(taken_at=taken_at, id__lt=reading_id))
    rows = (
        await query.select_related("register__meter").order_by("-taken_at", "-id").limit(size + 1)
    )
    more, rows = len(rows) > size, rows[:size]
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
        cursors=[encode_cursor(v.taken_at.astimezone(UTC).isoformat(), v.id) for v in views],
        has_next_page=more,
        has_previous_page=after is not None,
    )


def _position(cursor: str) -> tuple[datetime, int]:
    taken_at, reading_id = decode_cursor(cursor, 2)
    try:
        return datetime.fromisoformat(taken_at), int(reading_id)
    except ValueError:
        raise DomainError.of(
            ErrorCode.INVALID_INPUT, "Неверный курсор страницы.", "after"
        ) from None
