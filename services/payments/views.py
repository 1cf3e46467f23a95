"""Reading payments: who may see one, and how it reads to the customer (method, channel, status,
a masked account number, the SBP QR code), plus the batch functions behind the DataLoaders."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from enum import Enum

import segno

import models
from infra import database
from services.ids import parse_uuid

S = models.PaymentStatus
# Payment.channel of payments made in the cabinet (billing's imports carry the bank's or the
# office's own name).
CABINET = "cabinet"
CABINET_NAME = "Личный кабинет"
# Payments made on the retailer's site without signing in (services.payments.site).
SITE = "site"
SITE_NAME = "Сайт энергосбыта"
# Imported from billing: paid at a bank, a post office or the retailer's office.
OFFLINE_PROVIDER = "offline"
# The status as the customer reads it (the return page; static/payments/return.js has the same).
STATUS_TEXTS = {
    S.CREATED: "Платёж обрабатывается",
    S.PENDING: "Ожидает оплаты",
    S.SUCCEEDED: "Оплачено",
    S.FAILED: "Не оплачено",
    S.CANCELED: "Платёж отменён",
    S.EXPIRED: "Срок оплаты истёк",
    S.REFUNDED: "Деньги возвращены",
}


class PaymentMethod(str, Enum):
    """How a payment was made, as the customer's API says it: the stored methods (CARD, SBP)
    and OFFLINE for payments imported from billing, which store none (the acquirer never saw
    them: paid at a bank, a post office or the retailer's office)."""

    CARD = "CARD"
    SBP = "SBP"
    OFFLINE = "OFFLINE"


def channel_name(payment: models.Payment) -> str:
    """Where the payment was made, in Russian, for the customer."""
    return channel_text(payment.channel)


def channel_text(channel: str) -> str:
    """A stored Payment.channel in Russian: ours named, billing's (a bank's name) as imported."""
    return {CABINET: CABINET_NAME, SITE: SITE_NAME}.get(channel, channel)


def masked_account_number(number: str) -> str:
    """The account number as a stranger may see it: only its last 4 digits."""
    return "•" * max(len(number) - 4, 0) + number[-4:]


def method_of(payment: models.Payment) -> PaymentMethod:
    """How it was paid. Imported payments store no method (the acquirer never saw them): they
    were paid outside the cabinet."""
    if payment.provider == OFFLINE_PROVIDER or payment.method is None:
        return PaymentMethod.OFFLINE
    return PaymentMethod(payment.method.value)


async def payment_for_user(user_id: int, payment_id: str) -> models.Payment | None:
    """The payment, if the user is linked to its account; None otherwise (never says why)."""
    key = parse_uuid(payment_id)
    payment = await models.Payment.get_or_none(id=key) if key is not None else None
    if payment is None:
        return None
    linked = await models.UserAccount.exists(user_id=user_id, account_id=payment.account_id)
    return payment if linked else None


# One statement per subscription event: the payment, while the session is open and its user
# still linked to the payment's account (the session's expiry is compared in Python, as
# services/identity/auth.py does).
_FOR_SESSION_SQL = (
    'SELECT s.expires_at AS session_expires_at, p.* FROM "payment" p '
    'JOIN "user_account" ua ON ua.account_id = p.account_id AND ua.user_id = $1 '
    'JOIN "session" s ON s.id = $2 AND s.user_id = $3 AND s.revoked_at IS NULL '
    "WHERE p.id = $4"
)


async def payment_for_session(
    user_id: int, session_id: uuid.UUID, payment_id: uuid.UUID
) -> models.Payment | None:
    """The payment if the session still holds and its user is still linked to the payment's
    account; None otherwise (the caller finds out which, on this rare path)."""
    rows = await database.fetch(
        models.Payment,
        _FOR_SESSION_SQL,
        user_id,
        models.Session._meta.pk.to_db_value(session_id, models.Session),
        user_id,
        models.Payment._meta.pk.to_db_value(payment_id, models.Payment),
    )
    if not rows:
        return None
    row = rows[0]
    expires_at = models.Session._meta.fields_map["expires_at"].to_python_value(
        row.pop("session_expires_at")
    )
    if expires_at <= datetime.now(UTC):
        return None
    return models.Payment._init_from_db(**row)


async def is_personal(user: models.User | None, payment_id: str) -> bool:
    """Whether the user may see the payment's personal data (receipt e-mail, account number):
    only a user linked to its account, never a mere capability holder."""
    return user is not None and await payment_for_user(user.id, payment_id) is not None


def qr_svg(payment: models.Payment) -> str | None:
    """The SBP link as a QR code (SVG), for the customer to scan with the bank app."""
    if not payment.sbp_payload or payment.status not in (S.CREATED, S.PENDING):
        return None
    return segno.make(payment.sbp_payload, error="m").svg_inline(scale=4)


# --- batch functions for DataLoaders (results in key order)


async def lines_by_payment(ids: Sequence[uuid.UUID]) -> list[list[models.PaymentLine]]:
    grouped: dict[uuid.UUID, list[models.PaymentLine]] = defaultdict(list)
    for row in await models.PaymentLine.filter(payment_id__in=ids).order_by("id"):
        grouped[row.payment_id].append(row)
    return [grouped.get(k, []) for k in ids]
