"""Payments: creation, the acquirer's callbacks, the one-way status machine, reconciliation."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import models


@dataclass(frozen=True, slots=True)
class PaymentLineRequest:
    service_code: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    account_number: str
    method: models.PaymentMethod
    lines: list[PaymentLineRequest]
    total_confirmed: bool
    receipt_email: str | None = None
    idempotency_key: str | None = None
