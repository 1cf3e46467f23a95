"""A submission: every entry checked, then all stored (PENDING) or none."""

from __future__ import annotations

from collections.abc import Sequence

import models
from infra.runtime import Runtime
from services import clock
from services.readings.rules import check
from services.readings.store import cabinet_reading_kept, store
from services.readings.views import ReadingEntry, Submission, reading_view, shown_serial
from services.readings.window import entry_period, window_notice


async def submit(
    rt: Runtime,
    *,
    account: models.Account,
    entries: Sequence[ReadingEntry],
    source: models.ReadingSource,
    user_id: int | None,
) -> Submission:
    """Checks every entry, then stores them all (PENDING) or nothing. A customer's pending
    reading of a register in this period is replaced; the same value again changes nothing.
    Readings without signing in (PUBLIC) never replace one the holder entered in the cabinet:
    that is refused, and their answer shows masked serial numbers and no consumption (it would
    tell the earlier reading)."""
    public = models.ReadingSource(source) == models.ReadingSource.PUBLIC
    now = clock.now()
    period = entry_period(rt.settings, now)
    checked = await check(
        rt.settings, account=account, entries=entries, period=period, public=public
    )
    if public and any(_holds_cabinet_reading(item.pending) for item in checked):
        raise cabinet_reading_kept(period)
    rows = await store(checked, period=period, source=source, user_id=user_id, now=now)
    views = [
        reading_view(
            row,
            serial_number=shown_serial(item.register.meter.serial_number, public),
            zone=item.register.zone,
            previous=None if public else item.previous,
        )
        for item, row in zip(checked, rows, strict=True)
    ]
    return Submission(readings=views, period=period, notice=window_notice(rt.settings, period, now))


def _holds_cabinet_reading(pending: models.Reading | None) -> bool:
    return pending is not None and pending.source == models.ReadingSource.CABINET
