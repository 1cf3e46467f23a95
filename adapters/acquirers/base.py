"""The acquirer interface: register a payment, ask its state, cancel it, read a callback.

Amounts cross this boundary in kopecks (integers), as every Russian acquirer expects them.
Statuses come back already mapped to ours (PaymentStatus values) or None for an intermediate
state that changes nothing on our side; the acquirer's own status is kept for the event log.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


class AcquirerError(Exception):
    """The acquirer refused the request or could not be reached."""


class CallbackRejected(Exception):
    """A callback that is not the acquirer's: bad signature or token, or an expired timestamp."""


class CallbackMalformed(Exception):
    """A callback that cannot be read (not JSON, fields missing or of the wrong type)."""


def to_kopecks(amount: Decimal) -> int:
    """Exact conversion of rubles with at most two decimals; anything else is a bug upstream."""
    kopecks = amount * 100
    if kopecks != kopecks.to_integral_value():
        raise ValueError(f"{amount} has more than two decimals")
    return int(kopecks)


@dataclass(frozen=True, slots=True)
class OrderItem:
    name: str
    amount_kopecks: int


@dataclass(frozen=True, slots=True)
class Order:
    """What we ask the acquirer to collect."""

    order_id: str  # our payment id
    method: str  # "CARD" or "SBP"
    amount_kopecks: int
    description: str
    items: list[OrderItem]
    notification_url: str
    success_url: str
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class Registration:
    provider_payment_id: str
    confirmation_url: str | None = None
    sbp_payload: str | None = None


@dataclass(frozen=True, slots=True)
class StatusReport:
    """A callback or a state answer: what the acquirer says about one order."""

    order_id: str
    provider_payment_id: str
    provider_status: str
    status: str | None  # a PaymentStatus value, or None for an intermediate state
    amount_kopecks: int | None
    payload: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    # Refund and reversal reports: what the acquirer has returned of the order so far, in all
    # (cumulative, kopecks), so that a duplicated or late report of an older refund adds nothing.
    refund: Refund | None = None


@dataclass(frozen=True, slots=True)
class Refund:
    """The refunded part of a refund or reversal report: the total refunded so far, or what is
    left of the order (the total is then the order's amount less it)."""

    total_kopecks: int | None = None
    remaining_kopecks: int | None = None
    # True for a refund (the money had been taken, so the payment succeeded even if its success
    # report has not arrived yet); False for a reversal (a released hold: a refund only of a
    # payment already counted as paid, otherwise the report's own status applies).
    captured: bool = True


class Acquirer(abc.ABC):
    name: str
    # The body the acquirer expects in the answer to a callback it delivered.
    callback_answer = "OK"

    @abc.abstractmethod
    async def register(self, order: Order) -> Registration:
        """Creates the order at the acquirer; raises AcquirerError."""

    @abc.abstractmethod
    async def state(self, provider_payment_id: str) -> StatusReport:
        """Asks the acquirer for the current state; raises AcquirerError."""

    @abc.abstractmethod
    async def cancel(self, provider_payment_id: str) -> None:
        """Cancels an unpaid order; raises AcquirerError when the acquirer refuses."""

    @abc.abstractmethod
    def read_callback(self, headers: Mapping[str, str], body: bytes) -> StatusReport:
        """Verifies and parses a callback; raises CallbackRejected or CallbackMalformed."""
