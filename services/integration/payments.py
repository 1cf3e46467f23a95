"""Payments made elsewhere (a bank, the retailer's office), keyed by billing's external id. They
are stored as SUCCEEDED offline payments, so they appear in the customer's payment history."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

import models
from models.decimals import MONEY
from services.integration import fields as f
from services.integration.accounts import account_number
from services.integration.batch import Batch, Parsed, differences
from services.integration.results import ItemResult, ItemStatus

OFFLINE = "offline"


@dataclass(frozen=True, slots=True)
class LineRow:
    service_code: str
    amount: Decimal
    charged: Decimal


@dataclass(frozen=True, slots=True)
class PaymentRow:
    external_id: str
    account_number: str
    amount: Decimal
    channel: str
    paid_at: datetime
    period: date | None
    lines: tuple[LineRow, ...]


def _money(data: dict[str, Any], name: str, *, required: bool = True) -> Decimal | None:
    return f.decimal(
        data,
        name,
        MONEY,
        positive=True,
        required=required,
    )


def _line(data: dict[str, Any]) -> LineRow:
    amount = _money(data, "amount")
    assert amount is not None
    return LineRow(
        service_code=f.required_text(data, "service_code", max_length=32).upper(),
        amount=amount,
        charged=_money(data, "charged", required=False) or amount,
    )


def parse(data: dict[str, Any]) -> PaymentRow:
    lines = f.each(data, "lines", _line)
    amount = _money(data, "amount")
    assert amount is not None
    if lines and sum(line.amount for line in lines) != amount:
        raise f.Invalid("сумма строк не равна сумме платежа", "lines")
    f.distinct("lines", [line.service_code for line in lines], "услуга указана дважды")
    paid_at = f.moment(data, "paid_at")
    assert paid_at is not None
    return PaymentRow(
        external_id=f.required_text(data, "external_id", max_length=128),
        account_number=account_number(data, "account_number"),
        amount=amount,
        channel=f.required_text(data, "channel", max_length=128),
        paid_at=paid_at,
        period=f.period(data) if data.get("period") else None,
        lines=tuple(lines),
    )


async def apply_payments(batch: Batch[PaymentRow]) -> list[ItemResult]:
    parsed = batch.parsed
    async with in_transaction():
        account_ids = dict(
            await models.Account.filter(
                number__in={p.row.account_number for p in parsed}
            ).values_list("number", "id")
        )
        recipients = await _recipients(set(account_ids.values()))
        wanted: list[tuple[Parsed[PaymentRow], dict[str, Any], list[models.PaymentLine]]] = []
        for p in parsed:
            account_id = account_ids.get(p.row.account_number)
            if account_id is None:
                batch.refuse(p, "неизвестный лицевой счёт", "account_number")
                continue
            lines = []
            for index, line in enumerate(p.row.lines):
                found = recipients.get((account_id, line.service_code))
                if found is None:
                    batch.refuse(p, f"у счёта нет услуги {line.service_code}", f"lines.{index}")
                    break
                service_id, recipient_id = found
                lines.append(
                    models.PaymentLine(
                        service_id=service_id,
                        recipient_id=recipient_id,
                        charged=line.charged,
                        amount=line.amount,
                    )
                )
            else:
                values = {
                    "account_id": account_id,
                    "amount": p.row.amount,
                    "channel": p.row.channel,
                    "paid_at": p.row.paid_at,
                    "period": p.row.period,
                }
                wanted.append((p, values, lines))
        await _write(batch, wanted)
    return batch.finish()


async def _recipients(account_ids: set[int]) -> dict[tuple[int, str], tuple[int, int]]:
    """(account id, service code) -> (service id, recipient id) of the accounts' services."""
    if not account_ids:
        return {}
    rows = await models.AccountService.filter(account_id__in=account_ids).values_list(
        "account_id", "service__code", "service_id", "recipient_id"
    )
    return {(a, code): (s, r) for a, code, s, r in rows}


def _line_key(line: models.PaymentLine) -> tuple[Any, ...]:
    return (line.service_id, line.recipient_id, line.charged, line.amount)


async def _write(
    batch: Batch[PaymentRow],
    wanted: list[tuple[Parsed[PaymentRow], dict[str, Any], list[models.PaymentLine]]],
) -> None:
    if not wanted:
        return
    stored = {
        p.external_id: p
        for p in await models.Payment.filter(
            external_id__in=[p.row.external_id for p, _, _ in wanted]
        )
    }
    stored_lines: dict[Any, list[tuple[Any, ...]]] = {p.id: [] for p in stored.values()}
    if stored:
        for line in await models.PaymentLine.filter(payment_id__in=list(stored_lines)).order_by(
            "id"
        ):
            stored_lines[line.payment_id].append(_line_key(line))
    creates, updates, replaced, new_lines = [], [], [], []
    for p, values, lines in wanted:
        payment = stored.get(p.row.external_id)
        if payment is None:
            payment = models.Payment(
                id=uuid.uuid4(),
                external_id=p.row.external_id,
                method=None,
                status=models.PaymentStatus.SUCCEEDED,
                provider=OFFLINE,
                created_at=p.row.paid_at,
                **values,
            )
            creates.append(payment)
            batch.decide(p, ItemStatus.CREATED)
        elif payment.provider != OFFLINE:
            batch.refuse(p, "external_id занят платежом из личного кабинета", "external_id")
            continue
        else:
            diff = differences(payment, values)
            same_lines = sorted(map(_line_key, lines)) == sorted(stored_lines[payment.id])
            if not diff and same_lines:
                batch.decide(p, ItemStatus.UNCHANGED)
                continue
            for name, value in diff.items():
                setattr(payment, name, value)
            updates.append(payment)
            if not same_lines:
                replaced.append(payment.id)
            else:
                lines = []
            batch.decide(p, ItemStatus.UPDATED)
        for line in lines:
            line.payment_id = payment.id
            new_lines.append(line)
    if creates:
        await models.Payment.bulk_create(creates)
    if updates:
        await models.Payment.bulk_update(
            updates, fields=["account_id", "amount", "channel", "paid_at", "period", "updated_at"]
        )
    if replaced:
        await models.PaymentLine.filter(payment_id__in=replaced).delete()
    if new_lines:
        await models.PaymentLine.bulk_create(new_lines)
