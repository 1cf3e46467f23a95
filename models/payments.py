"""Payments (from the cabinet and from elsewhere), their lines and the acquirer's events."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

from models.accounts import Account, Provider, Service
from models.decimals import MONEY, MoneyField
from models.enums import PaymentMethod, PaymentStatus
from models.identity import User


class Payment(Model):
    id = fields.UUIDField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="payments"
    )
    account_id: int
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="payments", null=True
    )
    user_id: int | None
    method = fields.CharEnumField(PaymentMethod, max_length=8, null=True)
    status = fields.CharEnumField(PaymentStatus, max_length=16, default=PaymentStatus.CREATED)
    amount = MoneyField()
    # Where the payment was made: "cabinet", or a bank's or office's name for offline payments.
    channel = fields.CharField(max_length=128, default="cabinet")
    # The acquirer ("sandbox", "tbank") or "offline" for payments imported from billing.
    provider = fields.CharField(max_length=32)
    provider_payment_id = fields.CharField(max_length=64, null=True, db_index=True)
    # Idempotency: the client's key per user, or billing's id of an offline payment.
    idempotency_key = fields.CharField(max_length=128, null=True)
    external_id = fields.CharField(max_length=128, null=True, unique=True)
    receipt_email = fields.CharField(max_length=254, null=True)
    confirmation_url = fields.CharField(max_length=1000, null=True)
    sbp_payload = fields.CharField(max_length=1000, null=True)
    failure_reason = fields.CharField(max_length=500, null=True)
    # The statement period the payment was made against, if any.
    period = fields.DateField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)
    paid_at = fields.DatetimeField(null=True)
    expires_at = fields.DatetimeField(null=True)
    # What the acquirer has returned to the customer so far (0 to amount); REFUNDED once all.
    refunded_amount = fields.DecimalField(
        max_digits=MONEY.max_digits, decimal_places=MONEY.decimal_places, default=Decimal(0)
    )
    refunded_at = fields.DatetimeField(null=True)

    lines: fields.ReverseRelation[PaymentLine]
    events: fields.ReverseRelation[PaymentEvent]
    refunds: fields.ReverseRelation[PaymentRefund]
    site_tokens: fields.ReverseRelation[SitePayment]

    class Meta:
        table = "payment"
        unique_together = (("user", "idempotency_key"),)
        indexes = (("account_id", "created_at"), ("status", "updated_at"))


class PaymentLine(Model):
    id = fields.IntField(primary_key=True)
    payment: fields.ForeignKeyRelation[Payment] = fields.ForeignKeyField(
        "models.Payment", related_name="lines"
    )
    payment_id: UUID
    service: fields.ForeignKeyRelation[Service] = fields.ForeignKeyField(
        "models.Service", related_name="payment_lines"
    )
    service_id: int
    recipient: fields.ForeignKeyRelation[Provider] = fields.ForeignKeyField(
        "models.Provider", related_name="payment_lines"
    )
    recipient_id: int
    charged = MoneyField()
    amount = MoneyField()

    class Meta:
        table = "payment_line"
        unique_together = (("payment", "service"),)


class PaymentEvent(Model):
    """Every callback or state answer from the acquirer, as received."""

    id = fields.IntField(primary_key=True)
    payment: fields.ForeignKeyNullableRelation[Payment] = fields.ForeignKeyField(
        "models.Payment", related_name="events", null=True
    )
    payment_id: UUID | None
    provider = fields.CharField(max_length=32)
    provider_ref = fields.CharField(max_length=128)
    provider_status = fields.CharField(max_length=32)
    # "<provider>:<reference>:<status>"; null for events not deduplicated (mismatches).
    dedupe_key = fields.CharField(max_length=255, null=True, unique=True)
    # applied, duplicate, ignored, mismatch
    outcome = fields.CharField(max_length=16)
    detail = fields.CharField(max_length=500, null=True)
    payload: fields.JSONField[dict[str, Any]] = fields.JSONField()
    received_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "payment_event"


class PaymentRefund(Model):
    """One refund of a payment as applied here (what it added and the total after it).

    The total identifies the refund (the acquirer reports cumulative totals), so a duplicated
    or late report of an older total adds nothing."""

    id = fields.IntField(primary_key=True)
    payment: fields.ForeignKeyRelation[Payment] = fields.ForeignKeyField(
        "models.Payment", related_name="refunds"
    )
    payment_id: UUID
    provider_status = fields.CharField(max_length=32)
    amount = MoneyField()
    total = MoneyField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "payment_refund"
        unique_together = (("payment", "total"),)


class SitePayment(Model):
    """A payment made on the site without signing in, and the pay token it spent: one payment
    per token, so a replayed token makes no second payment."""

    # The pay token's random id (services.payments.site).
    token_id = fields.CharField(primary_key=True, max_length=32)
    payment: fields.ForeignKeyRelation[Payment] = fields.ForeignKeyField(
        "models.Payment", related_name="site_tokens"
    )
    payment_id: UUID
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "site_payment"
