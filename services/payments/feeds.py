"""The feeds behind the subscriptions paymentStatus and accountPayments. Each broker message (or
RESYNC) is only a hint: the payment is read again from the database, so a lost, late or
reordered message never shows a wrong status."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import UTC, datetime, timedelta

import models
from adapters.broker import RESYNC
from infra.runtime import Runtime
from services import accounts
from services.errors import DomainError, ErrorCode
from services.ids import parse_uuid
from services.payments.capability import payment_for_capability
from services.payments.channels import account_channel, payment_channel
from services.payments.views import payment_for_user


async def watch_payment(
    rt: Runtime, *, user: models.User | None, payment_id: str, capability: str | None = None
) -> AsyncGenerator[models.Payment, None]:
    """The payment's current state, then the state after every change.

    Allowed to a user linked to the payment's account, or to whoever holds the payment's
    capability (no sign-in: the return page); the caller shows a capability holder no personal
    data (see `views.is_personal`)."""
    payment = await payment_for_user(user.id, payment_id) if user is not None else None
    if payment is None and capability is not None:
        payment = await payment_for_capability(rt, payment_id, capability)
    if payment is None:
        raise DomainError.of(ErrorCode.NOT_FOUND, "Платёж не найден.", "id")
    # Subscribe before reading, so that a change between the two is not lost.
    subscription = await rt.broker.subscribe(payment_channel(payment.id))
    try:
        current = await models.Payment.get(id=payment.id)
        yield current
        async for _message in subscription:
            fresh = await models.Payment.get_or_none(id=payment.id)
            # A partial refund changes the refunded amount, not the status: pushed as well.
            if fresh is not None and _state(fresh) != _state(current):
                current = fresh
                yield current
    finally:
        await subscription.close()


def _state(payment: models.Payment) -> tuple[models.PaymentStatus, object]:
    return payment.status, payment.refunded_amount


async def watch_account(
    rt: Runtime, *, user: models.User, account_number: str
) -> AsyncGenerator[models.Payment, None]:
    """Every change of a payment on the account, read again from the database. After RESYNC
    (messages may have been lost) every payment changed since the last one sent is sent again."""
    account = await accounts.require_account(user.id, account_number)
    subscription = await rt.broker.subscribe(account_channel(account.id))
    since = datetime.now(UTC) - timedelta(seconds=1)
    try:
        async for message in subscription:
            if message is RESYNC or message.get("type") == "resync":
                rows = await models.Payment.filter(
                    account_id=account.id, updated_at__gte=since
                ).order_by("updated_at")
            else:
                payment_id = parse_uuid(message.get("paymentId"))
                row = (
                    await models.Payment.get_or_none(id=payment_id, account_id=account.id)
                    if payment_id
                    else None
                )
                rows = [row] if row else []
            for row in rows:
                since = max(since, row.updated_at)
                yield row
    finally:
        await subscription.close()
