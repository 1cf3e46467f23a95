"""Payments."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import models
from resolvers.common import mutation, query
from resolvers.context import Context
from services.errors import DomainError, ErrorCode
from services.pagination import Page
from services.payments import PaymentRequest

_TODO = "Оплата пока недоступна."


@query
async def account_payments(
    ctx: Context,
    *,
    account: models.Account,
    from_: date | None,
    to: date | None,
    first: int | None,
    after: str | None,
) -> Page[models.Payment]:
    raise DomainError.of(ErrorCode.INVALID_INPUT, _TODO)


async def payment(ctx: Context, *, payment_id: str) -> models.Payment | None:
    return None


async def payment_account_number(ctx: Context, *, payment: models.Payment) -> str:
    return (await payment.account).number


async def payment_lines(ctx: Context, *, payment: models.Payment) -> list[models.PaymentLine]:
    return await models.PaymentLine.filter(payment_id=payment.id).order_by("id")


async def payment_qr_svg(ctx: Context, *, payment: models.Payment) -> str | None:
    return None


@mutation
async def create_payment(ctx: Context, *, request: PaymentRequest) -> models.Payment:
    raise DomainError.of(ErrorCode.PROVIDER_ERROR, _TODO)


@mutation
async def cancel_payment(ctx: Context, *, payment_id: str) -> models.Payment:
    raise DomainError.of(ErrorCode.PROVIDER_ERROR, _TODO)


async def payment_status(ctx: Context, *, payment_id: str) -> AsyncIterator[models.Payment]:
    return
    yield


async def account_payments_feed(
    ctx: Context, *, account_number: str
) -> AsyncIterator[models.Payment]:
    return
    yield
