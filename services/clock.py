"""The clock: the current moment, always timezone-aware, in UTC. Local days and periods are
derived from it in services.periods.

The clock can stand still at a moment (LK_FIXED_NOW, development and tests only; production
refuses it): the app factory sets it for each request (a middleware) and for the background
tasks it starts (`fixed_at`). It is a context variable, not a global, so two apps in one process
(as in tests) each keep their own moment.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

_fixed: ContextVar[datetime | None] = ContextVar("lk_fixed_now", default=None)


def now() -> datetime:
    fixed = _fixed.get()
    return fixed if fixed is not None else datetime.now(UTC)


@contextmanager
def fixed_at(moment: datetime | None) -> Iterator[None]:
    """Within the block (and in tasks created in it), `now()` answers `moment`; None: the real
    time, unchanged."""
    if moment is None:
        yield
        return
    token = _fixed.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _fixed.reset(token)
