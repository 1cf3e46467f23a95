"""Billing's verdict on a reading: accepted or rejected (with billing's reason)."""

from __future__ import annotations

import models
from services.errors import DomainError, ErrorCode


def verdict(status: models.ReadingStatus, reason: str | None = None) -> dict[str, object]:
    """The fields of a reading that billing accepted or rejected. A judged reading gives up its
    customer slot, so the customer's next entry for that register and period is a new pending
    reading instead of a rewrite of one billing has already judged. `reason` is kept for a
    rejection only."""
    status = models.ReadingStatus(status)
    if status == models.ReadingStatus.PENDING:
        raise DomainError.of(ErrorCode.INVALID_INPUT, "Показание нельзя вернуть на проверку.")
    return {
        "status": status,
        "rejection_reason": reason if status == models.ReadingStatus.REJECTED else None,
        "customer_slot": None,
    }


async def set_reading_status(
    reading_id: int, status: models.ReadingStatus, reason: str | None = None
) -> None:
    """Billing accepted or rejected one reading (see `verdict`)."""
    updated = await models.Reading.filter(id=reading_id).update(**verdict(status, reason))
    if not updated:
        raise DomainError.of(ErrorCode.NOT_FOUND, "Показание не найдено.")
