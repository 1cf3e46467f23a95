"""cancelPayment: the customer cancels a payment still waiting to be paid."""

from __future__ import annotations

import logging

import models
from adapters.acquirers import AcquirerError
from infra.runtime import Runtime
from services.errors import DomainError, ErrorCode
from services.payments import events
from services.payments.views import payment_for_user

log = logging.getLogger(__name__)
S = models.PaymentStatus


async def cancel_payment(rt: Runtime, *, user: models.User, payment_id: str) -> models.Payment:
    """Only while PENDING; the order is cancelled at the acquirer first (it refuses one that was
    paid meanwhile), then the cancellation passes through the status machine like a report."""
    payment = await payment_for_user(user.id, payment_id)
    if payment is None:
        raise DomainError.of(ErrorCode.NOT_FOUND, "Платёж не найден.", "id")
    if payment.status != S.PENDING:
        raise _not_cancelable()
    if payment.provider_payment_id and payment.provider == rt.acquirer.name:
        try:
            await rt.acquirer.cancel(payment.provider_payment_id)
        except AcquirerError as error:
            log.warning("payments: cancel of %s refused: %s", payment.id, error)
            raise DomainError.of(
                ErrorCode.PROVIDER_ERROR, "Банк не отменил платёж: возможно, он уже оплачен.", "id"
            ) from None
    report = events.own_report(payment, "CANCELED", S.CANCELED)
    outcome = await events.apply_report(rt, provider=payment.provider, report=report)
    if outcome != events.EventOutcome.APPLIED:
        raise _not_cancelable()
    return await models.Payment.get(id=payment.id)


def _not_cancelable() -> DomainError:
    return DomainError.of(
        ErrorCode.PAYMENT_NOT_CANCELABLE, "Отменить можно только платёж, ожидающий оплаты.", "id"
    )
