"""What a payment changes on the account's latest statement: its credit (events) and the
reversal of a refund (refunds), under the same locks in the same order (payment, statement,
lines)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import models


async def latest_locked(account_id: int) -> models.Statement | None:
    """The account's latest statement, locked (after the payment row) for the change."""
    return (
        await models.Statement.filter(account_id=account_id)
        .order_by("-period")
        .select_for_update()
        .first()
    )


async def shift_paid(
    statement: models.Statement, by_service: Mapping[int, Decimal], total: Decimal
) -> None:
    """Each line's paid grows and its to_pay shrinks by what `by_service` holds for its service;
    the statement's total to pay shrinks by `total`. Negative amounts give money back."""
    rows = await models.StatementLine.filter(
        statement_id=statement.id, service_id__in=list(by_service)
    ).select_for_update()
    for row in rows:
        amount = by_service[row.service_id]
        await models.StatementLine.filter(id=row.id).update(
            paid=row.paid + amount, to_pay=row.to_pay - amount
        )
    await models.Statement.filter(id=statement.id).update(
        total_to_pay=statement.total_to_pay - total
    )
