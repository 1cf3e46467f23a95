"""Statements of a period as billing computed them. A new version of a period replaces the
stored one (its total and all its lines); an identical one changes nothing. A created or
replaced statement of a paperless account is handed to the electronic bill in the same
transaction (services.ebill.handoff: once per account and period)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

import models
from models.decimals import MONEY, RATE, VOLUME
from services.ebill import handoff
from services.integration import fields as f
from services.integration.accounts import account_number
from services.integration.batch import Batch, Parsed
from services.integration.bulk import insert_rows, lock_rows, select_models, select_rows
from services.integration.catalog import services_by_code
from services.integration.results import ItemResult, ItemStatus

AMOUNTS = ("balance", "paid", "charged", "recalculation", "to_pay")
# The order of _line_values.
LINE_COLUMNS = ("service_id", "position", "tariff", "volume", *AMOUNTS)


@dataclass(frozen=True, slots=True)
class LineRow:
    service_code: str
    tariff: Decimal
    volume: Decimal
    amounts: tuple[Decimal, ...]  # in the order of AMOUNTS


@dataclass(frozen=True, slots=True)
class StatementRow:
    account_number: str
    period: date
    total_to_pay: Decimal
    lines: tuple[LineRow, ...]


def _money(data: dict[str, Any], name: str) -> Decimal:
    return f.required_decimal(data, name, MONEY)


def _line(data: dict[str, Any]) -> LineRow:
    return LineRow(
        service_code=f.required_text(data, "service_code", max_length=32).upper(),
        tariff=f.required_decimal(data, "tariff", RATE),
        volume=f.required_decimal(data, "volume", VOLUME),
        amounts=tuple(_money(data, name) for name in AMOUNTS),
    )


def parse(data: dict[str, Any]) -> StatementRow:
    lines = f.each(data, "lines", _line, required=True)
    f.distinct("lines", [line.service_code for line in lines], "услуга указана дважды")
    return StatementRow(
        account_number=account_number(data, "account_number"),
        period=f.period(data),
        total_to_pay=_money(data, "total_to_pay"),
        lines=tuple(lines),
    )


def _line_values(line: LineRow, service_id: int, position: int) -> tuple[Any, ...]:
    return (service_id, position, line.tariff, line.volume, *line.amounts)


def _stored_values(row: models.StatementLine) -> tuple[Any, ...]:
    return (
        row.service_id,
        row.position,
        row.tariff,
        row.volume,
        *(getattr(row, name) for name in AMOUNTS),
    )


async def apply_statements(batch: Batch[StatementRow]) -> list[ItemResult]:
    parsed = batch.parsed
    async with in_transaction():
        account_ids = {
            a["number"]: a["id"]
            for a in await select_rows(
                models.Account, ("number", "id"), number={p.row.account_number for p in parsed}
            )
        }
        service_ids = await services_by_code(
            {ln.service_code for p in parsed for ln in p.row.lines}
        )
        # Imports of the same accounts (billing's retries, sent at once) take turns: the later
        # one then finds the statements the earlier one wrote (UNCHANGED) instead of failing on
        # the unique (account, period).
        await lock_rows(models.Account, account_ids.values())
        wanted: dict[tuple[int, date], tuple[Parsed[StatementRow], list[tuple[Any, ...]]]] = {}
        for p in parsed:
            if p.row.account_number not in account_ids:
                batch.refuse(p, "неизвестный лицевой счёт", "account_number")
                continue
            unknown = [ln.service_code for ln in p.row.lines if ln.service_code not in service_ids]
            if unknown:
                batch.refuse(p, f"неизвестная услуга {unknown[0]}", "lines")
                continue
            lines = [
                _line_values(ln, service_ids[ln.service_code], i)
                for i, ln in enumerate(p.row.lines)
            ]
            wanted[(account_ids[p.row.account_number], p.row.period)] = (p, lines)
        await _write(batch, wanted)
    return batch.finish()


async def _write(
    batch: Batch[StatementRow],
    wanted: dict[tuple[int, date], tuple[Parsed[StatementRow], list[tuple[Any, ...]]]],
) -> None:
    if not wanted:
        return
    stored = {
        (s.account_id, s.period): s
        for s in await select_models(
            models.Statement, account_id={k[0] for k in wanted}, period={k[1] for k in wanted}
        )
    }
    stored_lines: dict[int, list[tuple[Any, ...]]] = {s.id: [] for s in stored.values()}
    if stored:
        old_lines = await select_models(models.StatementLine, statement_id=list(stored_lines))
        for line in sorted(old_lines, key=lambda ln: (ln.position, ln.id)):
            stored_lines[line.statement_id].append(_stored_values(line))
    now = datetime.now(UTC)
    creates: list[dict[str, Any]] = []
    replaced: list[models.Statement] = []
    new_lines: dict[tuple[int, date], list[tuple[Any, ...]]] = {}
    for key, (p, lines) in wanted.items():
        statement = stored.get(key)
        if statement is None:
            creates.append(
                {
                    "account_id": key[0],
                    "period": key[1],
                    "total_to_pay": p.row.total_to_pay,
                    "imported_at": now,
                }
            )
            new_lines[key] = lines
            batch.decide(p, ItemStatus.CREATED)
        elif statement.total_to_pay == p.row.total_to_pay and stored_lines[statement.id] == lines:
            batch.decide(p, ItemStatus.UNCHANGED)
        else:
            statement.total_to_pay, statement.imported_at = p.row.total_to_pay, now
            replaced.append(statement)
            new_lines[key] = lines
            batch.decide(p, ItemStatus.UPDATED)
    if replaced:
        await models.StatementLine.filter(statement_id__in=[s.id for s in replaced]).delete()
        await models.Statement.bulk_update(replaced, fields=["total_to_pay", "imported_at"])
    ids = {key: statement.id for key, statement in stored.items()}
    if creates:
        for new in await insert_rows(
            models.Statement, creates, returning=("id", "account_id", "period")
        ):
            period = new["period"]
            if isinstance(period, str):  # SQLite answers dates as text
                period = date.fromisoformat(period)
            ids[(new["account_id"], period)] = new["id"]
    await insert_rows(
        models.StatementLine,
        [
            {
                "statement_id": ids[key],
                **dict(zip(LINE_COLUMNS, values, strict=True)),
            }
            for key, lines in new_lines.items()
            for values in lines
        ],
    )
    await handoff.reserve_deliveries(list(new_lines))
