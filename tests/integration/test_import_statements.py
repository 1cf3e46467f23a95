"""Statements of a period: stored as billing computed them; a new version replaces the old."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import models
from devdata.demo import IVAN_ACCOUNT

IMPORT_STATEMENTS = """
mutation Import($items: [StatementInput!]!) {
  importStatements(items: $items) {
    created updated unchanged refused
    items { index key status reason field }
  }
}
"""
PERIOD = "2027-01-01"


def line(code: str, to_pay: str) -> dict:
    return {
        "serviceCode": code,
        "tariff": "5.39",
        "balance": "0",
        "paid": "0",
        "volume": "30.5",
        "charged": to_pay,
        "recalculation": "0",
        "toPay": to_pay,
    }


def statement(total: str, *lines: dict, account: str = IVAN_ACCOUNT) -> dict:
    return {"accountNumber": account, "period": PERIOD, "totalToPay": total, "lines": list(lines)}


async def test_import_statement_then_rerun_changes_nothing(integration, billing_key):
    item = statement("264.40", line("ELECTRICITY", "164.40"), line("ELECTRICITY_COMMON", "100"))

    first = await integration.execute(IMPORT_STATEMENTS, {"items": [item]}, key=billing_key)
    again = await integration.execute(IMPORT_STATEMENTS, {"items": [item]}, key=billing_key)

    assert first["importStatements"]["created"] == 1
    assert again["importStatements"]["unchanged"] == 1
    stored = await models.Statement.get(account__number=IVAN_ACCOUNT, period=date(2027, 1, 1))
    assert stored.total_to_pay == Decimal("264.40")
    assert await models.StatementLine.filter(statement=stored).count() == 2


async def test_new_version_replaces_the_period(integration, billing_key):
    old = statement("264.40", line("ELECTRICITY", "164.40"), line("ELECTRICITY_COMMON", "100"))
    await integration.execute(IMPORT_STATEMENTS, {"items": [old]}, key=billing_key)
    new = statement("150.00", line("ELECTRICITY", "150.00"))

    data = await integration.execute(IMPORT_STATEMENTS, {"items": [new]}, key=billing_key)

    assert data["importStatements"]["items"][0]["status"] == "UPDATED"
    stored = await models.Statement.get(account__number=IVAN_ACCOUNT, period=date(2027, 1, 1))
    lines = await models.StatementLine.filter(statement=stored).select_related("service")
    assert stored.total_to_pay == Decimal("150.00")
    assert [(ln.service.code, ln.to_pay) for ln in lines] == [("ELECTRICITY", Decimal("150.00"))]


async def test_customer_sees_the_imported_statement(integration, billing_key, client, ivan):
    item = statement("164.40", line("ELECTRICITY", "164.40"))
    await integration.execute(IMPORT_STATEMENTS, {"items": [item]}, key=billing_key)

    data = await client.execute(
        """query($n: String!) { account(number: $n) { statement(period: "2027-01-01") {
             totalToPay lines { toPay } } } }""",
        {"n": IVAN_ACCOUNT},
        token=ivan,
    )

    assert data["account"]["statement"]["totalToPay"] == "164.40"


async def test_import_statements_refuses_unknown_account_service_and_duplicates(
    integration, billing_key
):
    items = [
        statement("1", line("ELECTRICITY", "1"), account="66299999999"),
        statement("1", line("WATER", "1")),
        statement("1", line("ELECTRICITY", "1"), line("ELECTRICITY", "1")),
        statement("1", line("ELECTRICITY", "1.001")),
    ]

    data = await integration.execute(IMPORT_STATEMENTS, {"items": items}, key=billing_key)

    results = data["importStatements"]["items"]
    assert [r["status"] for r in results] == ["REFUSED"] * 4
    assert [r["field"] for r in results] == [
        "account_number",
        "lines",
        "lines",
        "lines.0.charged",
    ]
    assert not await models.Statement.filter(period=date(2027, 1, 1)).exists()
