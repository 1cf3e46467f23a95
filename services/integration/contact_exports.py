"""Customers' contact preferences for billing: whom it may send the mailing to, where receipt
copies go, by which confirmed e-mail and phone. The cabinet only stores these choices; billing
(which sends the mailings) reads them here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Q

import models


@dataclass(frozen=True, slots=True)
class ContactPreferences:
    user_id: int
    login: str
    account_numbers: list[str]
    email: str | None
    phone: str | None
    subscribed_to_mailing: bool
    receipt_copies: bool
    reminder_channel: models.ReminderChannel
    updated_at: datetime


async def export_contact_preferences(
    *, after_id: int = 0, limit: int = 1000, changed_since: datetime | None = None
) -> list[ContactPreferences]:
    """Users by id after `after_id`; with `changed_since`, only those whose contacts or
    preferences changed (or who registered) at or after it. Only confirmed contacts are
    answered: an unconfirmed e-mail or phone may not be the customer's."""
    query = models.User.filter(id__gt=after_id)
    if changed_since is not None:
        query = query.filter(
            Q(contacts_updated_at__gte=changed_since)
            | Q(contacts_updated_at__isnull=True, created_at__gte=changed_since)
        )
    users = await query.order_by("id").limit(limit)
    numbers: dict[int, list[str]] = {user.id: [] for user in users}
    links = await models.UserAccount.filter(user_id__in=list(numbers)).select_related("account")
    for link in links:
        numbers[link.user_id].append(link.account.number)
    return [
        ContactPreferences(
            user_id=user.id,
            login=user.login,
            account_numbers=sorted(numbers[user.id]),
            email=user.email if user.email and user.email_confirmed else None,
            phone=user.phone if user.phone and user.phone_confirmed else None,
            subscribed_to_mailing=user.subscribed_to_mailing,
            receipt_copies=user.receipt_copies,
            reminder_channel=user.reminder_channel,
            updated_at=user.contacts_updated_at or user.created_at,
        )
        for user in users
    ]
