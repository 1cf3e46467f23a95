"""The electronic bill: accounts whose bills go by e-mail instead of paper, the site's requests
waiting for their e-mail to be confirmed, and one delivery per account and period."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from models.enums import EbillDeliveryStatus, EbillSource

if TYPE_CHECKING:
    from models.accounts import Account
    from models.identity import User


class EbillSubscription(Model):
    """An account that gets its bills by e-mail (active) or did (inactive), one row an account."""

    id = fields.IntField(primary_key=True)
    account: fields.OneToOneRelation[Account] = fields.OneToOneField(
        "models.Account", related_name="ebill_subscription"
    )
    account_id: int
    email = fields.CharField(max_length=254)
    active = fields.BooleanField(default=True)
    source = fields.CharEnumField(EbillSource, max_length=8)
    # Who opted in from the cabinet; null from the site.
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="ebill_subscriptions", null=True, on_delete=fields.SET_NULL
    )
    user_id: int | None
    # Bumped at every opt-in: the opt-out links of earlier e-mails stop working.
    version = fields.IntField(default=1)
    started_at = fields.DatetimeField()
    stopped_at = fields.DatetimeField(null=True)
    # Any change (opt-in, opt-out, another address): what the export for billing pages by.
    changed_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "ebill_subscription"


class EbillRequest(Model):
    """An opt-in from the site, waiting for its e-mail to be confirmed by the link sent there."""

    id = fields.UUIDField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="ebill_requests"
    )
    account_id: int
    email = fields.CharField(max_length=254)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(db_index=True)
    confirmed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "ebill_request"


class EbillDelivery(Model):
    """The bill of one period e-mailed to a paperless account: reserved (PENDING) in the
    transaction that imports the statement, so that however often it is imported the bill is
    handed to the outbox once (QUEUED)."""

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="ebill_deliveries"
    )
    account_id: int
    period = fields.DateField()
    status = fields.CharEnumField(
        EbillDeliveryStatus, max_length=8, default=EbillDeliveryStatus.PENDING
    )
    created_at = fields.DatetimeField()
    done_at = fields.DatetimeField(null=True)
    message_id = fields.IntField(null=True)
    last_error = fields.CharField(max_length=500, null=True)

    class Meta:
        table = "ebill_delivery"
        unique_together = (("account", "period"),)
        indexes = (("status", "id"),)
