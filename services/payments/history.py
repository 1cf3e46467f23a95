"""The account's payment history: money received from every channel, newest first."""

from __future__ import annotations

import uuid
from datetime import date

import models
from services.pagination import Page, Rows, history_window, keyset_page

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
    size, since, until = history_window(first, from_, to, timezone)
    rows = Rows(
        models.Payment,
        "SELECT p.* FROM payment p WHERE p.account_id = $1 AND p.status IN ($2, $3)",
        (account.id, *(s.value for s in HISTORY_STATUSES)),
        alias="p",
    )
    page = await keyset_page(
        rows,
        moment="created_at",
        since=since,
        until=until,
        size=size,
        after=after,
        parse_id=uuid.UUID,
    )
    return page.map(lambda row: models.Payment._init_from_db(**row))
