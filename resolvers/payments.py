"""Payments."""

from __future__ import annotations

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
        recheck = _access_check(ctx, still_allowed)
        feed = feeds.watch_payment(
            ctx.rt,
            user=user,
            payment_id=payment_id,
            payment=found,
            read=_checked_reader(ctx, recheck),
            woken_by=_woken_by(ctx),
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

    # As paymentStatus: each event is read through the checked reader, and on a websocket an
    # access change re-checks at once, so the subscription ends then rather than at the next
    # event.
    recheck = _access_check(ctx, still_allowed)
    feed = feeds.watch_account(
        ctx.rt,
        user=user,
        account_number=account_number,
        read=_checked_reader(ctx, recheck),
        woken_by=_woken_by(ctx),
        recheck=recheck,
    )
    async for row in feed:
        yield row


def _woken_by(ctx: Context) -> Callable[[Callable[[], None]], Callable[[], None]] | None:
    """How a websocket connection tells a subscription's feed that its user's access may have
    changed (None over HTTP)."""
    return ctx.watch.on_change if ctx.watch is not None else None


def _access_check(
    ctx: Context, still_allowed: Callable[[models.User], Awaitable[bool]]
) -> Callable[[], Awaitable[None]]:
    """The full checks of a signed-in subscription: TOKEN_EXPIRED / UNAUTHENTICATED when the
    session ended, FORBIDDEN once the user may no longer see what it watches."""

    async def recheck() -> None:
        viewer = await ctx.recheck()
        if not await still_allowed(viewer.user):
            raise _access_ended()

    return recheck


def _checked_reader(ctx: Context, recheck: Callable[[], Awaitable[None]]) -> feeds.Reader:
    """How a signed-in subscription reads a payment on each event: one statement that also
    checks the session is open and the user still linked to the payment's account (the access
    token's expiry is checked here, without the database). When that finds nothing, `recheck`
    says why (TOKEN_EXPIRED / UNAUTHENTICATED, FORBIDDEN)."""

    async def read(payment_id: UUID) -> models.Payment | None:
        viewer = await ctx.require_viewer()
        if ctx.token is not None and not ctx.rt.signer.access_token_expired(ctx.token):
            row = await views.payment_for_session(viewer.user.id, viewer.session_id, payment_id)
            if row is not None:
                return row
        await recheck()
        return await feeds.read_payment(payment_id)

    return read


def _access_ended() -> DomainError:
    return DomainError.of(ErrorCode.FORBIDDEN, "Доступ к лицевому счёту закрыт.")
