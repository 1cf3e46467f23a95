"""What each document shows, read straight from the database in a few queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import models
from services import periods
from services.ids import parse_uuid


@dataclass(frozen=True, slots=True)
class ChargeLine:
    line: models.StatementLine
    service: models.Service
    recipient: models.Provider | None


@dataclass(frozen=True, slots=True)
class MeterRow:
    """One register of a meter on the bill: what the period started from and ended with."""

    serial_number: str
    register: str
    previous: Decimal | None
    current: Decimal | None

    @property
    def consumption(self) -> Decimal | None:
        if self.previous is None or self.current is None:
            return None
        return self.current - self.previous


@dataclass(frozen=True, slots=True)
class Bill:
    account: models.Account
    statement: models.Statement
    lines: list[ChargeLine]
    meters: list[MeterRow]

    @property
    def recipients(self) -> list[models.Provider]:
        """Who gets the money, in the order of the lines (usually the retailer alone)."""
        seen: dict[int, models.Provider] = {}
        for line in self.lines:
            if line.recipient is not None:
                seen.setdefault(line.recipient.id, line.recipient)
        return list(seen.values())

    def to_pay(self, recipient: models.Provider) -> Decimal:
        lines = [c.line for c in self.lines if c.recipient and c.recipient.id == recipient.id]
        if len(self.recipients) == 1:
            return Decimal(self.statement.total_to_pay)
        return sum((Decimal(line.to_pay) for line in lines), Decimal(0))


@dataclass(frozen=True, slots=True)
class ChargePeriod:
    statement: models.Statement
    lines: list[ChargeLine]


@dataclass(frozen=True, slots=True)
class ReadingRow:
    reading: models.Reading
    serial_number: str
    register: str
    consumption: Decimal | None
    position: int = 0

    @property
    def order(self) -> tuple:
        """Newest first; the registers of one meter in their printed order (day, then night)."""
        return (-self.reading.taken_at.timestamp(), self.serial_number, self.position)


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    line: models.PaymentLine
    service: models.Service
    recipient: models.Provider


# --- the account


async def recipients_of(account: models.Account) -> list[models.Provider]:
    rows = (
        await models.AccountService.filter(account_id=account.id)
        .select_related("recipient")
        .order_by("id")
    )
    seen: dict[int, models.Provider] = {}
    for row in rows:
        seen.setdefault(row.recipient.id, row.recipient)
    return list(seen.values())


async def has_access(user_id: int, account_id: int) -> bool:
    return await models.UserAccount.exists(user_id=user_id, account_id=account_id)


# --- statements


async def statement_of(account: models.Account, period: date | None) -> models.Statement | None:
    """The statement of a period; the latest one when period is None."""
    query = models.Statement.filter(account_id=account.id)
    if period is not None:
        return await query.filter(period=period.replace(day=1)).first()
    return await query.order_by("-period").first()


async def charge_lines(
    account: models.Account, statements: list[models.Statement]
) -> dict[int, list[ChargeLine]]:
    """The lines of the statements with their services and recipients, by statement id."""
    services = {
        row.service_id: row.recipient
        for row in await models.AccountService.filter(account_id=account.id).select_related(
            "recipient"
        )
    }
    rows = (
        await models.StatementLine.filter(statement_id__in=[s.id for s in statements])
        .select_related("service")
        .order_by("position", "id")
    )
    grouped: dict[int, list[ChargeLine]] = defaultdict(list)
    for row in rows:
        grouped[row.statement_id].append(ChargeLine(row, row.service, services.get(row.service_id)))
    return grouped


async def bill(account: models.Account, statement: models.Statement) -> Bill:
    lines = (await charge_lines(account, [statement])).get(statement.id, [])
    return Bill(account, statement, lines, await meter_rows(account, statement.period))


async def charge_history(account: models.Account, first: date, last: date) -> list[ChargePeriod]:
    """Statements of the periods from first to last, oldest first, as a printed history reads."""
    statements = await models.Statement.filter(
        account_id=account.id, period__gte=first, period__lte=last
    ).order_by("period")
    lines = await charge_lines(account, statements)
    return [ChargePeriod(s, lines.get(s.id, [])) for s in statements]


# --- readings


async def meter_rows(account: models.Account, period: date) -> list[MeterRow]:
    """Each register of the account's individual meters: the last value before the period and
    the last value of the period (rejected readings do not count)."""
    registers = (
        await models.MeterRegister.filter(
            meter__account_id=account.id, meter__kind=models.MeterKind.INDIVIDUAL
        )
        .select_related("meter")
        .order_by("meter_id", "position", "id")
    )
    readings = (
        await models.Reading.filter(register_id__in=[r.id for r in registers], period__lte=period)
        .exclude(status=models.ReadingStatus.REJECTED)
        .order_by("-period", "-taken_at", "-id")
    )
    previous: dict[int, Decimal] = {}
    current: dict[int, Decimal] = {}
    for reading in readings:
        target = current if reading.period == period else previous
        target.setdefault(reading.register_id, Decimal(reading.value))
    return [
        MeterRow(r.meter.serial_number, r.description, previous.get(r.id), current.get(r.id))
        for r in registers
    ]


async def reading_history(
    account: models.Account, first: date, last: date, timezone: str
) -> list[ReadingRow]:
    """Readings of the account's meters taken from first to last (local dates), newest first,
    each with the consumption since the register's previous reading that counts."""
    start, end = periods.local_day_range(first, last, timezone)
    registers = {
        r.id: r
        for r in await models.MeterRegister.filter(meter__account_id=account.id).select_related(
            "meter"
        )
    }
    # Earlier readings too: the first reading in the range needs the one before it.
    readings = await models.Reading.filter(
        register_id__in=list(registers), taken_at__lt=end
    ).order_by("register_id", "taken_at", "id")
    rows: list[ReadingRow] = []
    last_counted: dict[int, Decimal] = {}
    for reading in readings:
        before = last_counted.get(reading.register_id)
        if reading.taken_at >= start:
            register = registers[reading.register_id]
            consumption = Decimal(reading.value) - before if before is not None else None
            rows.append(
                ReadingRow(
                    reading,
                    register.meter.serial_number,
                    register.description,
                    consumption,
                    register.position,
                )
            )
        if reading.status != models.ReadingStatus.REJECTED:
            last_counted[reading.register_id] = Decimal(reading.value)
    rows.sort(key=lambda row: row.order)
    return rows


# --- payments


async def succeeded_payments(
    account: models.Account, first: date, last: date, timezone: str
) -> list[models.Payment]:
    """Money received from every channel from first to last (local dates), newest first."""
    start, end = periods.local_day_range(first, last, timezone)
    return await models.Payment.filter(
        account_id=account.id,
        status=models.PaymentStatus.SUCCEEDED,
        paid_at__gte=start,
        paid_at__lt=end,
    ).order_by("-paid_at", "-id")


async def succeeded_payment(account: models.Account, payment_id: str) -> models.Payment | None:
    key = parse_uuid(payment_id)
    if key is None:
        return None
    return await models.Payment.filter(
        id=key, account_id=account.id, status=models.PaymentStatus.SUCCEEDED
    ).first()


async def receipt_lines(payment: models.Payment) -> list[ReceiptLine]:
    rows = (
        await models.PaymentLine.filter(payment_id=payment.id)
        .select_related("service", "recipient")
        .order_by("id")
    )
    return [ReceiptLine(row, row.service, row.recipient) for row in rows]
