"""Who gets their bills by e-mail: one row an account (models.EbillSubscription).

Opting in from the cabinet sends bills to the user's confirmed e-mail; from the site, to an
address confirmed by a link (services.ebill.site). Either way the row becomes active with a new
`version`, and the opt-out links of earlier e-mails (which name the version) stop working: a
link in an old e-mail cannot stop bills that now go elsewhere. When an active subscription moves
to another address, the previous address is told.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.expressions import F
from tortoise.transactions import in_transaction

import models
from infra.runtime import Runtime
from services import accounts, contacts
from services.clock import now
from services.errors import DomainError, ErrorCode
from services.identity import verification
from services.messages import outbox

STOP_PATH = "/ebill/stop"
STOP_PURPOSE = "ebill-stop"
# Opt-out links work as long as a customer may keep an old bill e-mail around.
STOP_TTL = timedelta(days=400)

MOVED_SUBJECT = "Электронная квитанция будет приходить на другой адрес"
MOVED_TEXT = """Здравствуйте!

Квитанции по лицевому счёту {number} больше не будут приходить на этот адрес: теперь они
приходят на {new}.

Если вы этого не делали, обратитесь в офис обслуживания или в службу поддержки клиентов.
"""


@dataclass(frozen=True, slots=True)
class EbillState:
    """An account's electronic bill as the cabinet shows it."""

    enabled: bool
    email: str | None
    since: datetime | None
    source: models.EbillSource | None


OFF = EbillState(enabled=False, email=None, since=None, source=None)


def state_of(row: models.EbillSubscription | None, *, viewer_email: str | None) -> EbillState:
    """The address in full when it is the viewer's own, masked otherwise (it may have been
    given on the site by whoever knew the account number)."""
    if row is None or not row.active:
        return OFF
    shown = row.email if row.email == viewer_email else contacts.mask_email(row.email)
    return EbillState(enabled=True, email=shown, since=row.started_at, source=row.source)


async def subscriptions_by_account(
    account_ids: list[int],
) -> list[models.EbillSubscription | None]:
    """Batch function (results in key order)."""
    rows = await models.EbillSubscription.filter(account_id__in=account_ids)
    by_account = {row.account_id: row for row in rows}
    return [by_account.get(key) for key in account_ids]


async def subscribe(
    rt: Runtime,
    *,
    account_id: int,
    email: str,
    source: models.EbillSource,
    user_id: int | None,
) -> models.EbillSubscription:
    """Makes the account paperless with bills to `email` (one row an account, locked while it
    changes: concurrent opt-ins end with one of them, never two rows)."""
    moment = now()
    async with in_transaction():
        await models.EbillSubscription.bulk_create(
            [
                models.EbillSubscription(
                    account_id=account_id,
                    email=email,
                    active=False,
                    source=source,
                    version=0,
                    started_at=moment,
                    changed_at=moment,
                )
            ],
            ignore_conflicts=True,
        )
        row = await models.EbillSubscription.select_for_update().get(account_id=account_id)
        if row.active and row.email == email:
            return row
        previous = row.email if row.active else None
        row.email, row.active, row.source, row.user_id = email, True, source, user_id
        row.version += 1
        row.started_at, row.stopped_at, row.changed_at = moment, None, moment
        await row.save()
        if previous is not None:
            account = await models.Account.get(id=account_id)
            await outbox.enqueue_email(
                rt=rt,
                to=previous,
                subject=MOVED_SUBJECT,
                body=MOVED_TEXT.format(number=account.number, new=contacts.mask_email(email)),
            )
    return row


async def unsubscribe(*, account_id: int, version: int | None = None) -> bool:
    """Back to paper bills; answers whether this call switched it off. With `version`, only
    the subscription of that version (an opt-out link's)."""
    moment = now()
    query = models.EbillSubscription.filter(account_id=account_id, active=True)
    if version is not None:
        query = query.filter(version=version)
    return await query.update(active=False, stopped_at=moment, changed_at=moment) == 1


# --- the cabinet


async def enable(rt: Runtime, *, user: models.User, account_number: str) -> EbillState:
    """Bills of one of the user's accounts to the user's confirmed e-mail."""
    account = await accounts.require_account(user.id, account_number)
    if not (user.email and user.email_confirmed):
        raise DomainError.of(
            ErrorCode.REQUIRED,
            "Чтобы получать квитанции по электронной почте, укажите и подтвердите адрес в профиле.",
            "email",
        )
    row = await subscribe(
        rt,
        account_id=account.id,
        email=user.email,
        source=models.EbillSource.CABINET,
        user_id=user.id,
    )
    return state_of(row, viewer_email=user.email)


async def follow_email(*, user_id: int, email: str) -> None:
    """The user's new confirmed e-mail replaces the old one in the subscriptions they made in
    the cabinet (which promise bills to the profile's address); the site's stay as confirmed.
    Each gets a new version: the opt-out links of e-mails sent to the old address (which may be
    lost, or someone else's now) cannot stop the bills that go to the new one."""
    moment = now()
    await models.EbillSubscription.filter(
        user_id=user_id, source=models.EbillSource.CABINET, active=True
    ).update(email=email, changed_at=moment, version=F("version") + 1)


async def forget_user(*, user_id: int, account_id: int) -> None:
    """A user who no longer has the account (unlinked it) stops getting its bills: the
    subscription they made in the cabinet, to their profile's address, goes back to paper. One
    the holder or the site made stays."""
    moment = now()
    await models.EbillSubscription.filter(
        account_id=account_id, user_id=user_id, source=models.EbillSource.CABINET, active=True
    ).update(active=False, stopped_at=moment, changed_at=moment)


async def disable(*, user: models.User, account_number: str) -> EbillState:
    account = await accounts.require_account(user.id, account_number)
    await unsubscribe(account_id=account.id)
    return OFF


# --- the opt-out link in every bill e-mail


def stop_link(rt: Runtime, row: models.EbillSubscription) -> str:
    return verification.signed_link(
        rt, STOP_PATH, {"s": row.id, "v": row.version}, purpose=STOP_PURPOSE, ttl=STOP_TTL
    )


@dataclass(frozen=True, slots=True)
class LinkDone:
    """What a link's button did: to which account, and the address (masked when opting out)."""

    account_number: str
    email: str


async def stop_by_link(rt: Runtime, *, token: str) -> LinkDone:
    """Opts out the subscription the link names. Opening the link does not (mail scanners
    open links): the page's button calls this. Pressing it again answers the same."""
    payload = verification.unsign_link(
        rt,
        token,
        purpose=STOP_PURPOSE,
        field="token",
        expired="Ссылка устарела. Отказаться от электронной квитанции можно в личном кабинете.",
    )
    row = await models.EbillSubscription.get_or_none(id=payload.get("s")).select_related("account")
    if row is None or row.version != payload.get("v"):
        # Another opt-in since this e-mail: its own e-mails carry their own link.
        raise DomainError.of(
            ErrorCode.CODE_EXPIRED,
            "Ссылка устарела: после этого письма подписка на электронную квитанцию "
            "оформлялась заново. Воспользуйтесь ссылкой из последнего письма.",
            "token",
        )
    await unsubscribe(account_id=row.account_id, version=row.version)
    return LinkDone(account_number=row.account.number, email=contacts.mask_email(row.email))
