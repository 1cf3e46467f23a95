"""The SQL read path (schema/sql_reads.py): PostgreSQL's JSON is the same bytes as graphql-core's
and the compiled plan's, in the corners the generated selections seldom reach: aliases on every
level, fragments, directives on variables, an account with nothing under it, several accounts,
another user's account, Decimal scales, text that JSON must escape, datetimes with and without
microseconds. On PostgreSQL each answer must also have come from the SQL path (/metrics); on
SQLite the plan answers (the SQL path never runs there)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import orjson
import pytest

import models
from infra.database import is_postgres
from services import periods
from tests.graphql import GraphQLClient
from tests.payments.flows import IVAN_ACCOUNT, PETR_ACCOUNT
from tests.readpath.test_compiled_differential import counted, outcomes, three

pytestmark = pytest.mark.filterwarnings(
    "ignore:Exception ignored in. <coroutine object GraphQLCoreConverter"
    ":pytest.PytestUnraisableExceptionWarning"
)

ACCOUNT_FIELDS = """
  id number holderName address city
  services { meterCount service { code name unit } provider { name inn kpp bankName bic }
             recipient { name settlementAccount correspondentAccount } tariffs { zone rate validFrom } }
  meters { id serialNumber kind nextVerificationDate service { name }
           registers { zone description
                       periodStart { id meterSerialNumber zone value consumption source status
                                     rejectionReason takenAt period }
                       current { id value consumption status rejectionReason takenAt } } }
  statement { period totalToPay lines { service { code } tariff balance paid volume charged
                                        recalculation toPay } }
"""
ME = f"{{ me {{ id login email emailConfirmed phone city reminderChannel accounts {{ {ACCOUNT_FIELDS} }} }} }}"


async def same_bytes(
    client: GraphQLClient,
    text: str,
    token: str | None,
    variables: dict[str, Any] | None = None,
    *,
    by_sql: bool = True,
) -> dict[str, Any]:
    """The three executors' answers are equal; on PostgreSQL the served one came from the SQL
    path (or, with by_sql=False, did not). Answers the body."""
    before = await outcomes(client)
    interpreted, compiled, served = await three(client, text, variables or {}, token)
    seen = counted(before, await outcomes(client))
    assert interpreted[0] == 200
    assert compiled == interpreted, f"\n{interpreted}\n{compiled}"
    assert served == interpreted, f"\n{interpreted}\n{served}"
    if is_postgres():
        assert seen["sql.answered"] == (1 if by_sql else 0), seen
    else:
        assert seen["sql.answered"] == 0 and seen["sql.uncovered"] == 1, seen
    body: dict[str, Any] = orjson.loads(interpreted[1])
    return body


async def test_the_dashboard_with_every_covered_field(client, ivan):
    body = await same_bytes(client, ME, ivan)

    account = body["data"]["me"]["accounts"][0]
    assert account["number"] == IVAN_ACCOUNT
    assert account["statement"]["totalToPay"] == "272.09"
    assert [line["volume"] for line in account["statement"]["lines"]] == ["33.0", "26.015"]


async def test_aliases_on_every_level(client, ivan):
    text = """{ who: me { name: login list: accounts { no: number kinds: services {
        n: meterCount what: service { c: code } tariffs { z: zone r: rate } }
        m: meters { s: serialNumber r: registers { z: zone ps: periodStart { v: value } } }
        st: statement { p: period l: lines { t: toPay } } } } also: me { login } }"""

    body = await same_bytes(client, text, ivan)

    assert list(body["data"]) == ["who", "also"]
    assert list(body["data"]["who"]["list"][0]) == ["no", "kinds", "m", "st"]


async def test_fragments_named_and_inline(client, ivan):
    text = """query { me { ...U accounts { ... on Account { number } ...A } } }
      fragment U on User { login city }
      fragment A on Account { number statement { ... { period } totalToPay } number }"""

    await same_bytes(client, text, ivan)


@pytest.mark.parametrize("shown", [True, False])
async def test_include_and_skip_on_variables(client, ivan, shown):
    text = """query Q($a: Boolean!, $b: Boolean!) { me { login @include(if: $a)
        accounts @skip(if: $b) { number meters @include(if: $a) { serialNumber } } } }"""

    body = await same_bytes(client, text, ivan, {"a": shown, "b": not shown})

    assert ("login" in body["data"]["me"]) is shown


async def test_an_account_with_no_services_meters_statement_or_readings(client, ivan):
    user = await models.User.get(login="Ivan")
    bare = await models.Account.create(
        number="66299999999", holder_name="Пустой", address="нет", city="Нижний Тагил"
    )
    await models.UserAccount.create(user=user, account=bare, is_holder=False)
    service = await models.Service.first()
    assert service is not None
    meter = await models.Meter.create(account=bare, service=service, serial_number="000")
    await models.MeterRegister.create(meter=meter, zone=models.MeterZone.SINGLE, description="")

    body = await same_bytes(client, ME, ivan)

    empty = body["data"]["me"]["accounts"][-1]
    assert empty["number"] == "66299999999"
    assert empty["services"] == [] and empty["statement"] is None
    assert empty["meters"][0]["registers"][0]["periodStart"] is None
    assert empty["meters"][0]["registers"][0]["current"] is None


async def test_several_accounts_in_the_links_order(client, ivan):
    user = await models.User.get(login="Ivan")
    for index in range(3):
        account = await models.Account.create(
            number=f"6629000000{index}", holder_name=f"Абонент {index}", address="-", city="-"
        )
        await models.UserAccount.create(user=user, account=account, is_holder=False)

    body = await same_bytes(client, "{ me { accounts { number } } }", ivan)

    numbers = [a["number"] for a in body["data"]["me"]["accounts"]]
    assert numbers == [IVAN_ACCOUNT, "66290000000", "66290000001", "66290000002"]


async def test_another_users_account_is_null(client, petr, ivan):
    text = f'{{ mine: account(number: "{PETR_ACCOUNT}") {{ number }} '
    text += f'theirs: account(number: "{IVAN_ACCOUNT}") {{ number }} '
    text += 'blank: account(number: "  ") { number } }'

    body = await same_bytes(client, text, petr)

    assert body["data"] == {"mine": {"number": PETR_ACCOUNT}, "theirs": None, "blank": None}


async def test_no_token_answers_null_and_a_forged_one_the_error(client):
    body = await same_bytes(client, "{ me { login } }", None)
    assert body["data"] == {"me": None}

    body = await same_bytes(client, "{ me { login } }", "forged.token.x", by_sql=False)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_decimal_scales_text_and_datetimes(client, ivan):
    account = await models.Account.get(number=IVAN_ACCOUNT)
    await models.Account.filter(id=account.id).update(
        holder_name='Иванов «Ёж» "Иван" \\ O\'Brien\n\tтаб'
    )
    statement = await models.Statement.filter(account_id=account.id).order_by("-period").first()
    assert statement is not None
    await models.StatementLine.filter(statement_id=statement.id).update(
        tariff=Decimal("100"), balance=Decimal("0.5"), volume=Decimal("12.345"), paid=Decimal(0)
    )
    await models.TariffRate.all().update(rate=Decimal("5.1234"))
    register = await models.MeterRegister.filter(meter__account_id=account.id).first()
    assert register is not None
    period = periods.current_period("Asia/Yekaterinburg")
    await models.Reading.filter(register_id=register.id).delete()
    accepted, rejected = models.ReadingStatus.ACCEPTED, models.ReadingStatus.REJECTED
    for month, value, status, moment in (
        (-2, "100", accepted, datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)),
        (-1, "112.345", accepted, datetime(2020, 2, 2, 3, 4, 5, 120000, tzinfo=UTC)),
        (-1, "999", rejected, datetime(2020, 2, 3, tzinfo=UTC)),  # never a period start
        (0, "112.345", accepted, datetime(2020, 3, 2, 3, 4, 5, 7, tzinfo=UTC)),
        (0, "120.5", rejected, datetime(2020, 3, 3, tzinfo=UTC)),  # the newest: current
    ):
        await models.Reading.create(
            register=register,
            period=periods.add_months(period, month),
            value=Decimal(value),
            source=models.ReadingSource.CABINET,
            status=status,
            rejection_reason='Показание "не сходится"' if status == rejected else "unused",
            taken_at=moment,
        )

    body = await same_bytes(client, ME, ivan)

    shown = body["data"]["me"]["accounts"][0]
    assert shown["holderName"].startswith("Иванов «Ёж»")
    line = shown["statement"]["lines"][0]
    assert (line["tariff"], line["balance"], line["volume"], line["paid"]) == (
        "100.00",
        "0.50",
        "12.345",
        "0.00",
    )
    assert {t["rate"] for s in shown["services"] for t in s["tariffs"]} == {"5.1234"}
    registers = [r for m in shown["meters"] for r in m["registers"]]
    current = next(
        r["current"] for r in registers if r["current"] and r["current"]["value"] == "120.5"
    )
    assert (
        current["status"] == "REJECTED" and current["rejectionReason"] == 'Показание "не сходится"'
    )
    assert current["consumption"] == "8.155" and current["takenAt"] == "2020-03-03T00:00:00+00:00"
    start = next(r["periodStart"] for r in registers if r["current"] is current)
    assert (start["value"], start["consumption"], start["rejectionReason"]) == (
        "112.345",
        "12.345",
        None,
    )
    assert start["takenAt"] == "2020-02-02T03:04:05.120000+00:00"


@pytest.mark.parametrize("days", [10, 30, -3, None])
async def test_verification_due(client, ivan, days):
    today = periods.local_today("Asia/Yekaterinburg")
    when = None if days is None else today + timedelta(days=days)
    await models.Meter.filter(account__number=IVAN_ACCOUNT).update(next_verification_date=when)
    text = "{ me { accounts { meters { nextVerificationDate verificationDue { date daysLeft "
    text += "within60Days within14Days overdue } } } } }"

    body = await same_bytes(client, text, ivan)

    due = body["data"]["me"]["accounts"][0]["meters"][0]["verificationDue"]
    assert due is None if days is None else due["daysLeft"] == days


async def test_statement_of_a_period_and_the_last_six(client, ivan):
    latest = await models.Statement.filter(account__number=IVAN_ACCOUNT).order_by("-period").first()
    assert latest is not None
    text = f"""query Q($p: Date, $none: Date) {{ account(number: "{IVAN_ACCOUNT}") {{
        one: statement(period: $p) {{ period totalToPay }} none: statement(period: $none) {{ period }}
        latest: statement {{ period }} statements {{ period lines {{ toPay }} }} }} }}"""
    some_day = latest.period.replace(day=17).isoformat()

    body = await same_bytes(client, text, ivan, {"p": some_day, "none": "2001-01-01"})

    account = body["data"]["account"]
    assert account["one"]["period"] == account["latest"]["period"] == latest.period.isoformat()
    assert account["none"] is None
    assert account["statements"][0]["period"] == latest.period.isoformat()


DUE = f"""{{ account(number: "{IVAN_ACCOUNT}") {{ meters {{ serialNumber registers {{ zone }}
    readingsDue {{ period windowOpen windowOpensOn windowClosesOn status rejectionReason }} }} }} }}"""


@pytest.mark.parametrize(
    ("newest", "expected"),
    [
        ((), "NOT_SENT"),
        (("PENDING",), "NOT_SENT"),
        (("ACCEPTED", "PENDING"), "SENT"),
        (("ACCEPTED", "ACCEPTED"), "ACCEPTED"),
        (("REJECTED", "REJECTED"), "REJECTED"),
    ],
)
async def test_readings_due_of_each_status(client, ivan, newest, expected):
    first = await same_bytes(client, DUE, ivan)
    period = date.fromisoformat(first["data"]["account"]["meters"][0]["readingsDue"]["period"])
    account = await models.Account.get(number=IVAN_ACCOUNT)
    service = await models.Service.first()
    assert service is not None
    await models.Meter.create(account=account, service=service, serial_number="без регистров")
    registers = await models.MeterRegister.filter(meter__account_id=account.id).order_by(
        "meter_id", "position", "id"
    )
    await models.Reading.filter(register_id__in=[r.id for r in registers], period=period).delete()
    for index, (register, status) in enumerate(zip(registers, newest, strict=False)):
        for minutes, shown in ((0, "ACCEPTED"), (5, status)):  # the newest counts
            await models.Reading.create(
                register=register,
                period=period,
                value=Decimal(100 + index),
                source=models.ReadingSource.CABINET,
                status=models.ReadingStatus(shown),
                # The first register's reason is empty: billing's reason is the first non-empty.
                rejection_reason=("" if index == 0 else f"Причина {index}")
                if shown == "REJECTED"
                else None,
                taken_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes),
            )

    body = await same_bytes(client, DUE, ivan)

    meters = body["data"]["account"]["meters"]
    due = meters[0]["readingsDue"]
    assert due["status"] == expected
    assert due["rejectionReason"] == ("Причина 1" if expected == "REJECTED" else None)
    assert meters[-1]["registers"] == [] and meters[-1]["readingsDue"]["status"] == "NOT_SENT"
