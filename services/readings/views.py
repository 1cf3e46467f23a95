"""What the readings domain hands to the schema: readings as the customer sees them, previews and
submissions, and the values a customer enters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import models


@dataclass(frozen=True, slots=True)
class ReadingView:
    """A reading as the customer sees it, with its meter and consumption."""

    id: int
    meter_serial_number: str
    zone: models.MeterZone
    value: Decimal
    consumption: Decimal | None
    source: models.ReadingSource
    status: models.ReadingStatus
    taken_at: datetime
    period: date
    # Billing's words when it rejected the reading; None for any other status.
    rejection_reason: str | None = None


@dataclass(frozen=True, slots=True)
class ReadingEntry:
    """One value the customer entered: a register of a meter, identified by meter id and zone."""

    meter_id: str
    zone: models.MeterZone
    value: Decimal


@dataclass(frozen=True, slots=True)
class PreviewLine:
    meter_serial_number: str
    zone: models.MeterZone
    previous: Decimal
    value: Decimal
    consumption: Decimal
    rate: Decimal
    cost: Decimal


@dataclass(frozen=True, slots=True)
class Preview:
    lines: list[PreviewLine]
    total_consumption: Decimal
    total_cost: Decimal
    # The period the readings count for (the next one when entered outside the window).
    period: date | None = None
    # Said to the customer when the readings count for the next period.
    notice: str | None = None


@dataclass(frozen=True, slots=True)
class Submission:
    """Stored readings, the period they count for, and what to tell the customer about it."""

    readings: list[ReadingView]
    period: date
    notice: str | None = None


def reading_view(
    row: models.Reading,
    *,
    serial_number: str,
    zone: models.MeterZone | str,
    previous: models.Reading | None,
) -> ReadingView:
    """`previous` is the period-start reading of row's period: consumption is measured from it."""
    status = models.ReadingStatus(row.status)
    return ReadingView(
        id=row.id,
        meter_serial_number=serial_number,
        zone=models.MeterZone(zone),
        value=row.value,
        consumption=None if previous is None else row.value - previous.value,
        source=models.ReadingSource(row.source),
        status=status,
        taken_at=row.taken_at,
        period=row.period,
        rejection_reason=row.rejection_reason if status == models.ReadingStatus.REJECTED else None,
    )


def shown_serial(serial_number: str, public: bool) -> str:
    """The serial number as shown: without signing in, only its last three characters («…060»),
    enough to tell one's meters apart."""
    return f"…{serial_number[-3:]}" if public else serial_number
