"""PDF reports and the bill (квитанция) with its GOST R 56042-2014 payment QR code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum


class DocumentKind(Enum):
    PAYMENT_HISTORY = "PAYMENT_HISTORY"
    CHARGE_HISTORY = "CHARGE_HISTORY"
    READING_HISTORY = "READING_HISTORY"
    PAYMENT_DOCUMENT = "PAYMENT_DOCUMENT"
    PAYMENT_RECEIPT = "PAYMENT_RECEIPT"


@dataclass(frozen=True, slots=True)
class DocumentLink:
    url: str
    expires_at: datetime
