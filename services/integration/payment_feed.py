"""The operators' payment feed (API key scope `dashboard`): a payment by id, and every change of
a payment's status. Not to be confused with the customers' dashboard query (bench/dashboard.py,
docs/perf.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import models
from adapters.broker import RESYNC
from infra.runtime import Runtime
from services.ids import parse_uuid
from services.payments.channels import PAYMENTS_CHANNEL


async def payment(payment_id: str) -> models.Payment | None:
    key = parse_uuid(payment_id)
    if key is None:
        return None
    return await models.Payment.get_or_none(id=key).select_related("account")


async def payment_changes(*, rt: Runtime) -> AsyncIterator[models.Payment]:
    """Each changed payment as stored now. The message only says which payment changed: the
    row is read again, so a subscriber never shows a status the database does not hold."""
    subscription = await rt.broker.subscribe(PAYMENTS_CHANNEL)
    try:
        async for message in subscription:
            if message is RESYNC or message.get("type") == RESYNC["type"]:
                # Missed messages cannot be replayed; operators see the next change.
                continue
            row = await payment(str(message.get("paymentId", "")))
            if row is not None:
                yield row
    finally:
        await subscription.close()
