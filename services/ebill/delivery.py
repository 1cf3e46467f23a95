"""The electronic bill's background pass: the deliveries the statement imports reserved
(services.ebill.handoff) are rendered as PDFs and queued in the outbox.

A delivery is marked QUEUED in the same transaction that queues its e-mail, by a conditional
UPDATE from PENDING: two passes (two processes) that rendered the same bill queue it once. The
bill is rendered before that transaction (tens of milliseconds in a worker thread), so no
transaction waits on fpdf2. An account that went back to paper before its turn is SKIPPED, and
so is a statement deleted meanwhile; a bill that cannot be rendered is FAILED with the error
(logged; a bug, not something a retry cures). A database failure leaves the deliveries PENDING
for the next pass.
"""

from __future__ import annotations

import asyncio
import logging
import traceback

from tortoise.transactions import in_transaction

import models
from infra.runtime import Runtime
from services import documents
from services.clock import now
from services.ebill import subscriptions

log = logging.getLogger(__name__)

BATCH_SIZE = 50
# Bills in flight at once: rendering holds the GIL, so more would only queue for it.
CONCURRENCY = 4
STOP_TEXT = (
    "Вы получаете квитанции по электронной почте вместо бумажных. Отказаться от электронной "
    "квитанции (квитанции снова будут приходить на бумаге): {link}"
)


async def deliver_pending(rt: Runtime, *, limit: int = BATCH_SIZE) -> int:
    """Handles up to `limit` pending deliveries, oldest first, CONCURRENCY at a time (one
    renders while the others wait on the database); answers how many it handled. A database
    failure ends the pass with the deliveries still PENDING: the next pass retries them."""
    due = (
        await models.EbillDelivery.filter(status=models.EbillDeliveryStatus.PENDING)
        .order_by("id")
        .limit(limit)
    )
    for start in range(0, len(due), CONCURRENCY):
        chunk = due[start : start + CONCURRENCY]
        outcomes = await asyncio.gather(*(_deliver(rt, d) for d in chunk), return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
    return len(due)


async def run(rt: Runtime) -> None:
    """One pass of the background task: every pending delivery, a batch at a time."""
    while await deliver_pending(rt) == BATCH_SIZE:
        pass


async def _deliver(rt: Runtime, delivery: models.EbillDelivery) -> None:
    subscription = await models.EbillSubscription.get_or_none(
        account_id=delivery.account_id, active=True
    )
    statement = await models.Statement.get_or_none(
        account_id=delivery.account_id, period=delivery.period
    ).select_related("account")
    if subscription is None or statement is None:
        await _finish(delivery, models.EbillDeliveryStatus.SKIPPED)
        return
    link = subscriptions.stop_link(rt, subscription)
    try:
        pdf = await documents.render_bill(rt, statement.account, statement)
    except Exception as error:
        # A bill that cannot be drawn is a bug, not something a retry cures: kept as FAILED
        # with the error, and the pass goes on.
        log.error(
            "e-bill delivery %s: the bill could not be rendered\n%s",
            delivery.id,
            "".join(traceback.format_exception(error)),
        )
        reason = f"{type(error).__name__}: {error}"[:500]
        await _finish(delivery, models.EbillDeliveryStatus.FAILED, last_error=reason)
        return
    async with in_transaction():
        # Claimed first (the row stays locked until the commit on PostgreSQL), so a second
        # pass that gets here for the same delivery queues nothing.
        if not await _finish(delivery, models.EbillDeliveryStatus.QUEUED):
            return
        message = await documents.enqueue_bill(
            rt,
            account=statement.account,
            statement=statement,
            to=subscription.email,
            postscript=STOP_TEXT.format(link=link),
            secrets=[link],
            secrets_expire_in=subscriptions.STOP_TTL,
            pdf=pdf,
        )
        await models.EbillDelivery.filter(id=delivery.id).update(message_id=message.id)


async def _finish(
    delivery: models.EbillDelivery,
    status: models.EbillDeliveryStatus,
    *,
    last_error: str | None = None,
) -> bool:
    return (
        await models.EbillDelivery.filter(
            id=delivery.id, status=models.EbillDeliveryStatus.PENDING
        ).update(status=status, done_at=now(), last_error=last_error)
        == 1
    )
