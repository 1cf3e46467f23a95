"""The broker channels of the payments domain, named in one place.

After every status change the payments domain publishes `{"paymentId": "<uuid>", "status":
"<STATUS>"}` on three channels: the payment's own, its account's, and the one of all payments
(the operators' dashboard). Subscribers treat a message only as a hint and re-read the row.
"""

from __future__ import annotations

import uuid

# Every payment's changes, for the operators' dashboard (services/integration/dashboard.py).
PAYMENTS_CHANNEL = "payments"


def payment_channel(payment_id: uuid.UUID | str) -> str:
    """One payment's changes (the paymentStatus subscription)."""
    return f"payment:{payment_id}"


def account_channel(account_id: int) -> str:
    """The changes of every payment on one account (the accountPayments subscription)."""
    return f"account:{account_id}"


def channels_of(payment_id: uuid.UUID, account_id: int) -> tuple[str, str, str]:
    """Where one change of a payment is published."""
    return payment_channel(payment_id), account_channel(account_id), PAYMENTS_CHANNEL
