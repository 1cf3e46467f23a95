"""The feeds behind the subscriptions paymentStatus and accountPayments. Each broker message (or
RESYNC) is only a hint: the payment is read again from the database, so a lost, late or
reordered message never shows a wrong status."""

from __future__ import annotations

import functools
import uuid
from collections.abc import AsyncGenerator, Awaitable, Callable
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

# A hint of our own (not from the broker): the viewer's access may have changed.
ACCESS_CHANGED: dict[str, str] = {"type": "access"}

# How a feed reads a payment again on each hint: by default as it is; a subscription passes a
# reader that also checks, in the same statement, that its viewer may still see it.
Reader = Callable[[uuid.UUID], Awaitable[models.Payment | None]]


async def read_payment(payment_id: uuid.UUID) -> models.Payment | None:
    return await models.Payment.get_or_none(id=payment_id)


async def watch_payment(
    rt: Runtime,
    *,
    user: models.User | None,
    payment_id: str,
    capability: str | None = None,
    read: Reader = read_payment,
    payment: models.Payment | None = None,
    woken_by: Callable[[Callable[[], None]], Callable[[], None]] | None = None,
) -> AsyncGenerator[models.Payment, None]:
    """The payment's current state, then the state after every change.

    Allowed to a user linked to the payment's account, or to whoever holds the payment's
    capability (no sign-in: the return page); the caller shows a capability holder no personal
    data (see `views.is_personal`). `payment`: the caller has already found it for `user`.
    `woken_by(hook)`: registers a hook for when the viewer's access may have changed (answers
    how to unregister it); the payment is then read again through `read`, which checks it."""
    if payment is None and user is not None:
        payment = await payment_for_user(user.id, payment_id)
    if payment is None and capability is not None:
        payment = await payment_for_capability(rt, payment_id, capability)
    if payment is None:
        raise DomainError.of(ErrorCode.NOT_FOUND, "Платёж не найден.", "id")
    # Only the id and the last status sent are kept while the subscription waits (thousands
    # wait at once): not the rows.
    key, payment = payment.id, None
    # Subscribe before reading, so that a change between the two is not lost.
    subscription = await rt.broker.subscribe(payment_channel(key))
    unhook = woken_by(functools.partial(subscription.deliver, ACCESS_CHANGED)) if woken_by else None
    try:
        current = await read(key)
        if current is None:
            raise DomainError.of(ErrorCode.NOT_FOUND, "Платёж не найден.", "id")
        yield current
        state, current = _state(current), None
        async for _message in subscription:
            fresh = await read(key)
            # A partial refund changes the refunded amount, not the status: pushed as well.
            if fresh is not None and _state(fresh) != state:
                state = _state(fresh)
                yield fresh
                fresh = None
    finally:
        if unhook is not None:
            unhook()
        await subscription.close()


def _state(payment: models.Payment) -> tuple[models.PaymentStatus, object]:
    return payment.status, payment.refunded_amount


async def watch_account(
    rt: Runtime,
    *,
    user: models.User,
    account_number: str,
    read: Reader = read_payment,
    woken_by: Callable[[Callable[[], None]], Callable[[], None]] | None = None,
    recheck: Callable[[], Awaitable[None]] | None = None,
) -> AsyncGenerator[models.Payment, None]:
    """Every change of a payment on the account, read again from the database. After RESYNC
    (messages may have been lost) every payment changed since the last one sent is sent again.
    `woken_by(hook)`, as for `watch_payment`: when the viewer's access may have changed,
    `recheck()` runs, and raises when the viewer may no longer see the account."""
    account = await accounts.require_account(user.id, account_number)
    subscription = await rt.broker.subscribe(account_channel(account.id))
    unhook = woken_by(functools.partial(subscription.deliver, ACCESS_CHANGED)) if woken_by else None
    since = datetime.now(UTC) - timedelta(seconds=1)
    try:
        async for message in subscription:
            if message is ACCESS_CHANGED:
                if recheck is not None:
                    await recheck()
                continue
            if message is RESYNC or message.get("type") == "resync":
                changed = await models.Payment.filter(
                    account_id=account.id, updated_at__gte=since
                ).order_by("updated_at")
                rows = [row for row in [await read(c.id) for c in changed] if row is not None]
            else:
                payment_id = parse_uuid(message.get("paymentId"))
                row = await read(payment_id) if payment_id else None
                rows = [row] if row is not None and row.account_id == account.id else []
            for row in rows:
                since = max(since, row.updated_at)
                yield row
    finally:
        if unhook is not None:
            unhook()
        await subscription.close()
