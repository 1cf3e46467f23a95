"""Accounts that get their bills by e-mail instead of paper, for billing (which prints and
posts the paper ones). The cabinet stores the choice (services.ebill); billing reads it here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import models


@dataclass(frozen=True, slots=True)
class PaperlessAccount:
    id: int
    account_number: str
    paperless: bool
    since: datetime
    changed_at: datetime


async def export_paperless(
    *, after_id: int = 0, limit: int = 1000, changed_since: datetime | None = None
) -> list[PaperlessAccount]:
    """By subscription id after `after_id`. Without `changed_since`, the accounts paperless
    now; with it, every account whose choice changed at or after it, back to paper included
    (paperless false), so billing can keep its own list in step."""
    query = models.EbillSubscription.filter(id__gt=after_id)
    if changed_since is None:
        query = query.filter(active=True)
    else:
        query = query.filter(changed_at__gte=changed_since)
    rows = await query.order_by("id").limit(limit).select_related("account")
    return [
        PaperlessAccount(
            id=row.id,
            account_number=row.account.number,
            paperless=row.active,
            since=row.started_at if row.active else (row.stopped_at or row.changed_at),
            changed_at=row.changed_at,
        )
        for row in rows
    ]
