"""Payments."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from uuid import UUID

import models
from resolvers.common import as_graphql_error, mutation, query
from resolvers.context import Context
from resolvers.loaders import Loader
from services import payments
from services.errors import DomainError, unauthenticated
from services.pagination import Page
from services.payments import PaymentRequest


class AccountByIdLoader(Loader[int, models.Account | None]):
    load_batch = payments.accounts_by_id


class LinesByPaymentLoader(Loader[UUID, list[models.PaymentLine]]):
    load_batch = payments.lines_by_payment


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
    return await payments.history(
        account=account,
        from_=from_,
        to=to,
        first=first,
        after=after,
        timezone=ctx.rt.settings.timezone,
    )


async def payment(ctx: Context, *, payment_id: str) -> models.Payment | None:
    user = await ctx.user()
    if user is None:
        return None
    return await payments.payment_for_user(user.id, payment_id)


async def payment_account_number(ctx: Context, *, payment: models.Payment) -> str:
    account = await ctx.loader(AccountByIdLoader).load(payment.account_id)
    assert account is not None, f"account {payment.account_id} referenced but missing"
    return account.number


async def payment_lines(ctx: Context, *, payment: models.Payment) -> list[models.PaymentLine]:
    return await ctx.loader(LinesByPaymentLoader).load(payment.id)


async def payment_qr_svg(ctx: Context, *, payment: models.Payment) -> str | None:
    return payments.qr_svg(payment)


@mutation
async def create_payment(ctx: Context, *, request: PaymentRequest) -> models.Payment:
    user = await ctx.require_user()
    return await payments.create_payment(ctx.rt, user=user, request=request)


@mutation
async def cancel_payment(ctx: Context, *, payment_id: str) -> models.Payment:
    user = await ctx.require_user()
    return await payments.cancel_payment(ctx.rt, user=user, payment_id=payment_id)


def payment_capability(ctx: Context, *, payment: models.Payment | None) -> str | None:
    return payments.capability(ctx.rt, payment.id) if payment is not None else None


async def payment_is_personal(ctx: Context, *, payment_id: str) -> bool:
    return await payments.is_personal(await ctx.user(), payment_id)


async def payment_status(
    ctx: Context, *, payment_id: str, capability: str | None = None
) -> AsyncIterator[models.Payment]:
    user = await ctx.user()
    if user is None and capability is None:
        raise as_graphql_error(unauthenticated())
    try:
        async for row in payments.watch_payment(
            ctx.rt, user=user, payment_id=payment_id, capability=capability
        ):
            yield row
    except DomainError as error:
        raise as_graphql_error(error) from None


async def account_payments_feed(
    ctx: Context, *, account_number: str
) -> AsyncIterator[models.Payment]:
    user = await ctx.user()
    if user is None:
        raise as_graphql_error(unauthenticated())
    try:
        async for row in payments.watch_account(ctx.rt, user=user, account_number=account_number):
            yield row
    except DomainError as error:
        raise as_graphql_error(error) from None
