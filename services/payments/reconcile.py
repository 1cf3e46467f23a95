"""Reconciliation: asks the acquirer about payments whose callback never came (GetState) and
expires the ones left unpaid. Everything it learns passes through the status machine
(`events.apply_report`), recorded like a callback."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import models
from adapters.acquirers import AcquirerError
from infra.runtime import Runtime
from services.payments.events import EventOutcome, apply_report, own_report

log = logging.getLogger(__name__)
S = models.PaymentStatus
# A batch of one reconciliation pass; the next pass takes the rest.
RECONCILE_BATCH = 100


async def reconcile_once(rt: Runtime, *, now: datetime | None = None) -> dict[str, int]:
    """One reconciliation pass: asks the acquirer about payments PENDING for longer than
    payment_reconcile_after_minutes (a lost callback), then expires payments past expires_at.
    Returns counts of what it did, for logs and tests."""
    now = now or datetime.now(UTC)
    acquirer = rt.acquirer
    counts = {"asked": 0, "applied": 0, "expired": 0, "errors": 0}
    stale = now - timedelta(minutes=rt.settings.payment_reconcile_after_minutes)
    pending = (
        await models.Payment.filter(
            status=S.PENDING,
            provider=acquirer.name,
            provider_payment_id__not_isnull=True,
            updated_at__lte=stale,
        )
        .order_by("updated_at")
        .limit(RECONCILE_BATCH)
    )
    for payment in pending:
        counts["asked"] += 1
        # The query asked for registered payments only: each has the acquirer's id.
        assert payment.provider_payment_id is not None
        try:
            report = await acquirer.state(payment.provider_payment_id)
        except AcquirerError as error:
            counts["errors"] += 1
            log.warning("payments: state of %s unavailable: %s", payment.id, error)
            continue
        outcome = await apply_report(
            rt, provider=acquirer.name, report=report, record_duplicate=False
        )
        counts["applied"] += outcome == EventOutcome.APPLIED
    overdue = await models.Payment.filter(
        status__in=[S.CREATED, S.PENDING], expires_at__lte=now
    ).limit(RECONCILE_BATCH)
    for payment in overdue:
        if await _expire(rt, payment):
            counts["expired"] += 1
    return counts


async def _expire(rt: Runtime, payment: models.Payment) -> bool:
    acquirer = rt.acquirer
    if payment.provider_payment_id and payment.provider == acquirer.name:
        try:
            await acquirer.cancel(payment.provider_payment_id)
        except AcquirerError:
            # The acquirer would not cancel: perhaps the customer paid at the last moment.
            # Apply what it says instead; expire on a later pass if it is still unpaid.
            try:
                report = await acquirer.state(payment.provider_payment_id)
            except AcquirerError as error:
                log.warning("payments: cannot expire %s: %s", payment.id, error)
                return False
            await apply_report(rt, provider=acquirer.name, report=report, record_duplicate=False)
            return False
    report = own_report(payment, "EXPIRED", S.EXPIRED)
    return await apply_report(rt, provider=payment.provider, report=report) == EventOutcome.APPLIED
