"""The electronic bill: the account's state, opting in and out (services.ebill)."""

from __future__ import annotations

from decimal import Decimal

import models
from resolvers.common import mutation
from resolvers.context import Context
from resolvers.loaders import Loader
from services.ebill import site, subscriptions
from services.ebill.subscriptions import EbillState, LinkDone


class EbillSubscriptionByAccountLoader(Loader[int, models.EbillSubscription | None]):
    load_batch = subscriptions.subscriptions_by_account


async def account_ebill(ctx: Context, *, account: models.Account) -> EbillState:
    row = await ctx.loader(EbillSubscriptionByAccountLoader).load(account.id)
    user = await ctx.user_if_valid()
    viewer_email = user.email if user and user.email_confirmed else None
    return subscriptions.state_of(row, viewer_email=viewer_email)


@mutation
async def enable_ebill(ctx: Context, *, account_number: str) -> EbillState:
    user = await ctx.require_user()
    return await subscriptions.enable(ctx.rt, user=user, account_number=account_number)


@mutation
async def disable_ebill(ctx: Context, *, account_number: str) -> EbillState:
    user = await ctx.require_user()
    return await subscriptions.disable(user=user, account_number=account_number)


@mutation
async def request_ebill(
    ctx: Context,
    *,
    account_number: str,
    bill_total: Decimal,
    email: str,
    captcha_id: str,
    captcha_answer: str,
) -> bool:
    await site.request(
        ctx.rt,
        number=account_number,
        bill_total=bill_total,
        email=email,
        captcha_id=captcha_id,
        answer=captcha_answer,
        source=ctx.ip,
    )
    return True


@mutation
async def confirm_ebill(ctx: Context, *, token: str) -> LinkDone:
    return await site.confirm(ctx.rt, token=token)


@mutation
async def disable_ebill_by_link(ctx: Context, *, token: str) -> LinkDone:
    return await subscriptions.stop_by_link(ctx.rt, token=token)
