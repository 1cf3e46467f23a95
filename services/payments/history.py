"""The account's payment history: money received from every channel, newest first."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tortoise.expressions import Q

import models
from services.errors import DomainError, ErrorCode
from services.pagination import Page, decode_cursor, encode_cursor, page_size

S = models.PaymentStatus
# What the history shows: money that arrived (and was possibly returned).
HISTORY_STATUSES = (S.SUCCEEDED, S.REFUNDED)


async def history(
    *,
    account: models.Account,
    from_: date | None,
    to: date | None,
    first: int | None,
    after: str | None,
    timezone: str,
) -> Page[models.Payment]:
    """Money received on the account from every channel, newest first; from/to are days in the
    retailer's time zone (inclusive)."""
    size = page_size(first)
    query = models.Payment.filter(account_id=account.id, status__in=list(HISTORY_STATUSES))
    zone = ZoneInfo(timezone)
    if from_ is not None:
        query = query.filter(created_at__gte=datetime.combine(from_, time(), zone))
    if to is not None:
        query = query.filter(created_at__lt=datetime.combine(to + timedelta(days=1), time(), zone))
    if from_ is not None and to is not None and from_ > to:
        raise DomainError.of(ErrorCode.INVALID_INPUT, "Начало периода позже его окончания.", "from")
    if after:
        created, key = decode_cursor(after, 2)
        try:
            at, ref = datetime.fromisoformat(created), uuid.UUID(key)
        except ValueError:
            raise DomainError.of(
                ErrorCode.INVALID_INPUT, "Неверный курсор страницы.", "after"
            ) from None
        query = query.filter(Q(created_at__lt=at) | Q(created_at=at, id__lt=ref))
    rows = await query.order_by("-created_at", "-id").limit(size + 1)
    items = rows[:size]
    return Page(
        items=items,
        cursors=[encode_cursor(p.created_at.isoformat(), p.id) for p in items],
        has_next_page=len(rows) > size,
        has_previous_page=after is not None,
    )
