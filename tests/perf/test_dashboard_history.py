"""The dashboard's SQL statements and answer do not depend on how many years of history the
accounts hold: the latest statement and each register's period-start reading are chosen in SQL,
whatever lies before them, and a register whose readings stop months ago costs no statement more."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import models
from services import periods
from tests.perf.test_dashboard_queries import add_accounts, dashboard_queries

YEARS = 10


async def add_old_history(account: models.Account) -> None:
    """Ten years of statements and readings before what the account holds (readings of the
    month before last and older, statements of three months ago and older), all lower."""
    current = periods.current_period("Asia/Yekaterinburg")
    services = await models.Service.all().order_by("id")
    registers = await models.MeterRegister.filter(meter__account_id=account.id)
    readings = []
    for register in registers:
        for back in range(2, 12 * YEARS + 2):
            period = periods.add_months(current, -back)
            readings.append(
                models.Reading(
                    register_id=register.id,
                    period=period,
                    value=Decimal(12 * YEARS + 2 - back) / 2,
                    source=models.ReadingSource.CABINET,
                    status=models.ReadingStatus.ACCEPTED,
                    taken_at=datetime.combine(period, datetime.min.time(), tzinfo=UTC),
                )
            )
    await models.Reading.bulk_create(readings)
    for back in range(3, 12 * YEARS + 3):
        statement = await models.Statement.create(
            account=account, period=periods.add_months(current, -back), total_to_pay=Decimal(back)
        )
        await models.StatementLine.bulk_create(
            models.StatementLine(
                statement_id=statement.id,
                service_id=service.id,
                position=position,
                tariff=Decimal("4.00"),
                balance=Decimal(back),
                paid=Decimal("0.00"),
                volume=Decimal("1.0"),
                charged=Decimal("4.00"),
                recalculation=Decimal("0.00"),
                to_pay=Decimal(back),
            )
            for position, service in enumerate(services)
        )


async def test_dashboard_statements_and_answer_do_not_depend_on_years_of_history(
    client, ivan, sql_queries
):
    ivan_user = await models.User.get(login="Ivan")
    await add_accounts(ivan_user, range(1))
    short_queries, short = await dashboard_queries(client, ivan, sql_queries)
    account = await models.Account.get(number="66300000000")

    await add_old_history(account)
    long_queries, long = await dashboard_queries(client, ivan, sql_queries)

    assert await models.Statement.filter(account_id=account.id).count() == 2 + 12 * YEARS
    assert long == short
    added = long["me"]["accounts"][-1]
    previous = periods.add_months(periods.current_period("Asia/Yekaterinburg"), -1)
    assert added["statement"]["period"] == previous.isoformat()
    assert added["statement"]["totalToPay"] == "10.00"
    assert long_queries == short_queries


async def test_a_register_whose_readings_stopped_months_ago_costs_no_more_statements(
    client, ivan, sql_queries
):
    ivan_user = await models.User.get(login="Ivan")
    await add_accounts(ivan_user, range(1))
    account = await models.Account.get(number="66300000000")
    await add_old_history(account)
    usual_queries, usual = await dashboard_queries(client, ivan, sql_queries)

    # The customer sent nothing last month for one register: its period starts from the
    # reading of the month before (the newest of its ten years).
    register = (
        await models.MeterRegister.filter(meter__account_id=account.id).order_by("id").first()
    )
    assert register is not None
    previous = periods.add_months(periods.current_period("Asia/Yekaterinburg"), -1)
    await models.Reading.filter(register_id=register.id, period=previous).delete()
    gap_queries, gap = await dashboard_queries(client, ivan, sql_queries)

    first = gap["me"]["accounts"][-1]["meters"][0]["registers"][0]
    assert first["periodStart"]["value"] == str(Decimal(12 * YEARS) / 2)
    assert first["periodStart"]["takenAt"].startswith(periods.add_months(previous, -1).isoformat())
    assert usual["me"]["accounts"][-1]["meters"][0]["registers"][0]["periodStart"]["value"] == "100"
    assert gap_queries == usual_queries
