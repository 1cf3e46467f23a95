"""The dashboard query's SQL statements do not grow with the user's accounts, meters, registers
and statements: every level is loaded by one batch (DataLoaders), never one query per row."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

import models
from infra.database import is_postgres
from schema.read_path import EXECUTION_HEADER
from services import periods

DASHBOARD = """
query Dashboard {
  me {
    login
    accounts {
      id number holderName address city
      services {
        meterCount
        service { code name unit }
        provider { name inn }
        recipient { name inn }
        tariffs { zone rate validFrom }
      }
      meters {
        id serialNumber kind nextVerificationDate
        service { code }
        registers {
          zone description
          periodStart { value meterSerialNumber source status takenAt }
          current { value meterSerialNumber source status takenAt }
        }
      }
      statement {
        period totalToPay
        lines { service { code name } tariff balance paid volume charged recalculation toPay }
      }
    }
  }
}
"""


async def add_accounts(user: models.User, indexes: range) -> None:
    """Accounts like the demo one: two services, a day/night meter with readings of the last
    and the current period, and two statements of two lines."""
    current = periods.current_period("Asia/Yekaterinburg")
    previous = periods.add_months(current, -1)
    services = await models.Service.all().order_by("id")
    provider = await models.Provider.first()
    for index in indexes:
        account = await models.Account.create(
            number=f"6630000{index:04d}",
            holder_name=f"Абонент {index}",
            address=f"г Нижний Тагил, ул Ленина, д. {index}",
            city="Нижний Тагил",
        )
        await models.UserAccount.create(user=user, account=account, is_holder=False)
        for service in services:
            await models.AccountService.create(
                account=account, service=service, provider=provider, recipient=provider
            )
        for number in range(2):
            meter = await models.Meter.create(
                account=account, service=services[0], serial_number=f"77{index:04d}{number}"
            )
            for position, zone in enumerate((models.MeterZone.DAY, models.MeterZone.NIGHT)):
                register = await models.MeterRegister.create(
                    meter=meter, zone=zone, description=zone.value, position=position
                )
                for period, value in ((previous, 100 + index), (current, 150 + index)):
                    await models.Reading.create(
                        register=register,
                        period=period,
                        value=Decimal(value),
                        source=models.ReadingSource.CABINET,
                        status=models.ReadingStatus.ACCEPTED,
                        taken_at=datetime.combine(period, datetime.min.time(), tzinfo=UTC),
                    )
        for period in (periods.add_months(current, -2), previous):
            statement = await models.Statement.create(
                account=account, period=period, total_to_pay=Decimal("10.00")
            )
            for position, service in enumerate(services):
                await models.StatementLine.create(
                    statement=statement,
                    service=service,
                    position=position,
                    tariff=Decimal("5.15"),
                    balance=Decimal("1.00"),
                    paid=Decimal("1.00"),
                    volume=Decimal("1.0"),
                    charged=Decimal("5.00"),
                    recalculation=Decimal("0.00"),
                    to_pay=Decimal("5.00"),
                )


async def dashboard_queries(
    client, token: str, sql_queries, execution: str | None = None, query: str = DASHBOARD
) -> tuple[int, dict]:
    """Statements sent for the dashboard and its data; `execution`: the development header's
    choice of executor (`compiled`: the plan and its loaders, also on PostgreSQL, where the
    dashboard is otherwise answered by one statement)."""
    before = sql_queries.count
    headers = {EXECUTION_HEADER: execution} if execution else None
    body = await client.post(query, token=token, headers=headers)
    assert not body.get("errors"), body["errors"]
    return sql_queries.count - before, body["data"]


async def test_dashboard_queries_do_not_grow_with_accounts_and_meters(client, ivan, sql_queries):
    ivan_user = await models.User.get(login="Ivan")
    await add_accounts(ivan_user, range(1))
    one_queries, one = await dashboard_queries(client, ivan, sql_queries, "compiled")
    await add_accounts(ivan_user, range(1, 5))
    five_queries, five = await dashboard_queries(client, ivan, sql_queries, "compiled")

    # The data really grew: from 2 accounts to 6, each added one with 2 meters of 2 registers.
    assert len(one["me"]["accounts"]) == 2
    assert len(five["me"]["accounts"]) == 6
    added = five["me"]["accounts"][-1]
    assert [len(m["registers"]) for m in added["meters"]] == [2, 2]
    assert added["meters"][1]["registers"][0]["current"]["meterSerialNumber"] == "7700041"
    assert added["meters"][1]["registers"][0]["periodStart"]["value"] == "104"
    assert len(added["statement"]["lines"]) == 2
    # ... and the statements sent did not: 13 (session, accounts, account services, services,
    # providers, tariffs, meters, registers (their meters are known), period starts of the month
    # before and, where that month is empty, earlier ones, current readings, statements, lines),
    # or 14 when the meters arrive before the account services, so that the services of both
    # levels are fetched in two batches instead of one (one per level at most, never per row).
    assert one_queries <= 15
    assert five_queries <= 15
    assert abs(five_queries - one_queries) <= 1


async def test_postgresql_answers_the_dashboard_in_one_statement(client, ivan, sql_queries):
    """On PostgreSQL the SQL read path (schema/sql_reads.py) builds the whole answer: the session
    and its user, then one statement, whatever the accounts."""
    if not is_postgres():
        pytest.skip("the SQL read path runs on PostgreSQL only")
    ivan_user = await models.User.get(login="Ivan")
    await add_accounts(ivan_user, range(3))

    count, data = await dashboard_queries(client, ivan, sql_queries)

    assert len(data["me"]["accounts"]) == 4
    assert count == 2, sql_queries.statements[-count:]
    assert sql_queries.statements[-1].startswith("SELECT json_build_object(")
