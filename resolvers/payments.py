"""Payments."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Awaitable, Callable
from datetime import date
from uuid import UUID

import models
from resolvers.accounts import AccountByIdLoader
from resolvers.common import mutation, query, subscription
from resolvers.context import Context
from resolvers.loaders import Loader
from services import accounts
from services.errors import DomainError, ErrorCode, unauthenticated
from services.pagination import Page
from services.payments import cancel, create, feeds, history, site, views
from services.payments.capability import capability as capability_of
from services.payments.create import PaymentRequest
from services.payments.site import SitePaymentRequest


class LinesByPaymentLoader(Loader[UUID, list[models.PaymentLine]]):
    load_batch = views.lines_by_payment


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
    return await history.history(
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
    return await views.payment_for_user(user.id, payment_id)


async def payment_account_number(ctx: Context, *, payment: models.Payment) -> str:
    account = await ctx.loader(AccountByIdLoader).load(payment.account_id)
    assert account is not None, f"account {payment.account_id} referenced but missing"
    return account.number


async def payment_lines(ctx: Context, *, payment: models.Payment) -> list[models.PaymentLine]:
    return await ctx.loader(LinesByPaymentLoader).load(payment.id)


async def payment_qr_svg(ctx: Context, *, payment: models.Payment) -> str | None:
    return views.qr_svg(payment)


@mutation
async def create_payment(ctx: Context, *, request: PaymentRequest) -> models.Payment:
    user = await ctx.require_user()
    return await create.create_payment(ctx.rt, user=user, request=request)


@mutation
async def create_public_payment(ctx: Context, *, request: SitePaymentRequest) -> models.Payment:
    return await site.create_site_payment(ctx.rt, request=request, source=ctx.ip)


@mutation
async def cancel_payment(ctx: Context, *, payment_id: str) -> models.Payment:
    user = await ctx.require_user()
    return await cancel.cancel_payment(ctx.rt, user=user, payment_id=payment_id)


def payment_capability(ctx: Context, *, payment: models.Payment | None) -> str | None:
    return capability_of(ctx.rt, payment.id) if payment is not None else None


async def payment_is_personal(ctx: Context, *, payment_id: str) -> bool:
    return await views.is_personal(await ctx.user(), payment_id)


@subscription
async def payment_status(
    ctx: Context, *, payment_id: str, capability: str | None = None
) -> AsyncGenerator[models.Payment, None]:
    user = await ctx.user()
    if user is None and capability is None:
        raise unauthenticated()
    found = await views.payment_for_user(user.id, payment_id) if user is not None else None
    if found is not None:

        async def still_allowed(user: models.User) -> bool:
            return await views.payment_for_user(user.id, payment_id) is not None

        # On a websocket, an access change wakes the feed, which reads the payment again
        # through the checked reader (FORBIDDEN once the account is unlinked, TOKEN_EXPIRED /
        # UNAUTHENTICATED once the session ended): no task of its own while it waits.
        feed = feeds.watch_payment(
            ctx.rt,
            user=user,
            payment_id=payment_id,
            payment=found,
            read=_checked_reader(ctx, still_allowed),
            woken_by=ctx.watch.on_change if ctx.watch is not None else None,
        )
        found = None  # the feed keeps what it needs
        async for row in feed:
            yield row
        return
    # A capability holder (the return page): the capability is the authority, not a session.
    feed = feeds.watch_payment(ctx.rt, user=user, payment_id=payment_id, capability=capability)
    async for row in feed:
        yield row


@subscription
async def account_payments_feed(
    ctx: Context, *, account_number: str
) -> AsyncGenerator[models.Payment, None]:
    user = await ctx.user()
    if user is None:
        raise unauthenticated()

    async def still_allowed(user: models.User) -> bool:
        return await accounts.account_for_user(user.id, account_number) is not None

    feed = feeds.watch_account(
        ctx.rt,
        user=user,
        account_number=account_number,
        read=_checked_reader(ctx, still_allowed),
    )
    async for row in _while_allowed(ctx, feed, still_allowed):
        yield row


def _checked_reader(
    ctx: Context, still_allowed: Callable[[models.User], Awaitable[bool]]
) -> feeds.Reader:
    """How a signed-in subscription reads a payment on each event: one statement that also
    checks the session is open and the user still linked to the payment's account (the access
    token's expiry is checked here, without the database). When that finds nothing, the full
    checks say why: TOKEN_EXPIRED / UNAUTHENTICATED when the session ended, FORBIDDEN once the
    account was unlinked."""

    async def read(payment_id: UUID) -> models.Payment | None:
        viewer = await ctx.require_viewer()
        if ctx.token is not None and not ctx.rt.signer.access_token_expired(ctx.token):
            row = await views.payment_for_session(viewer.user.id, viewer.session_id, payment_id)
            if row is not None:
                return row
        viewer = await ctx.recheck()
        if not await still_allowed(viewer.user):
            raise _access_ended()
        return await feeds.read_payment(payment_id)

    return read


async def _while_allowed(
    ctx: Context,
    feed: AsyncGenerator[models.Payment, None],
    still_allowed: Callable[[models.User], Awaitable[bool]],
) -> AsyncGenerator[models.Payment, None]:
    """The feed's events while the subscription may still see them. The feed reads each event
    through `_checked_reader`, so the session and the user's access are looked up again with
    every event in the same statement (TOKEN_EXPIRED / UNAUTHENTICATED when the session ended,
    FORBIDDEN once the account was unlinked); on a websocket the access is also re-checked as
    soon as the connection hears that it changed, so the subscription ends then rather than at
    the next event."""
    if ctx.watch is None:
        async for row in feed:
            yield row
        return
    pending: asyncio.Future[models.Payment] | None = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(anext(feed))
            changed = ctx.watch.changed()
            await asyncio.wait((pending, changed), return_when=asyncio.FIRST_COMPLETED)
            if changed.done():
                viewer = await ctx.recheck()
                if not await still_allowed(viewer.user):
                    raise _access_ended()
            if pending.done():
                try:
                    row = pending.result()
                except StopAsyncIteration:
                    return
                pending = None
                yield row
                del row  # not kept while the subscription waits
    finally:
        if pending is not None and not pending.done():
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await pending
        await feed.aclose()


def _access_ended() -> DomainError:
    return DomainError.of(ErrorCode.FORBIDDEN, "Доступ к лицевому счёту закрыт.")
