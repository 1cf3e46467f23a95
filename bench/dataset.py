"""Generated data for the benchmarks: a fresh PostgreSQL database, migrated, filled by COPY.

Every user has 1 to 3 accounts; every account two services (with suppliers and tariffs), one
meter (day/night or single-zone) with `history_months` (default six) months of readings (and a
reading of the current period for half of the registers), as many statements of two lines each
and, with `payments=True`, as many succeeded payments (one line each). Every user has an
open session; `tokens` are access tokens of those sessions, signed with the given secret.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal as D

import asyncpg

from infra.crypto import Signer
from infra.database import close_database, open_database
from services import periods

TIMEZONE = "Asia/Yekaterinburg"
NOW = datetime.now(UTC)


@dataclass
class Dataset:
    database_url: str
    users: int
    accounts: int
    tokens: list[str]
    # The number of each user's first account, in the order of `tokens`.
    numbers: list[str]


def admin_dsn(server: str) -> str:
    return server.replace("postgres://", "postgresql://", 1).rstrip("/") + "/postgres"


async def recreate_database(server: str, name: str) -> str:
    conn = await asyncpg.connect(admin_dsn(server))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return f"{server.rstrip('/')}/{name}"


async def drop_database(server: str, name: str) -> None:
    conn = await asyncpg.connect(admin_dsn(server))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def build(
    server: str,
    name: str,
    *,
    users: int,
    secret_key: str,
    seed: int = 1,
    history_months: int = 6,
    payments: bool = False,
) -> Dataset:
    """Creates the database `name` afresh, applies the migrations and fills it."""
    url = await recreate_database(server, name)
    await open_database(url, schema_mode="migrate")
    await close_database()
    rows = _generate(users, random.Random(seed), history_months, payments)
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        async with conn.transaction():
            for table, (columns, records) in rows.items():
                await conn.copy_records_to_table(table, records=records, columns=columns)
            for table, (columns, _) in rows.items():
                if columns[0] == "id" and table not in ("session", "payment"):
                    await conn.execute(
                        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                        f'(SELECT max(id) FROM "{table}"))'
                    )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    signer = Signer(secret_key)
    tokens = [
        signer.access_token(user_id=user_id, session_id=str(session_id), ttl_seconds=86400)[0]
        for session_id, user_id, *_ in rows["session"][1]
    ]
    first = {
        user_id: account_id for _, user_id, account_id, *_ in reversed(rows["user_account"][1])
    }
    number = {a[0]: a[1] for a in rows["account"][1]}
    numbers = [number[first[user_id]] for _, user_id, *_ in rows["session"][1]]
    return Dataset(url, users, len(rows["account"][1]), tokens, numbers)


def _generate(
    users: int, rnd: random.Random, history_months: int = 6, payments: bool = False
) -> dict[str, tuple[list[str], list[tuple]]]:
    current = periods.current_period(TIMEZONE)
    out: dict[str, tuple[list[str], list[tuple]]] = {}

    def table(name: str, *columns: str) -> list[tuple]:
        out[name] = (list(columns), [])
        return out[name][1]

    provider = table(
        "provider",
        "id",
        "name",
        "inn",
        "kpp",
        "bank_name",
        "bic",
        "settlement_account",
        "correspondent_account",
        "updated_at",
    )
    provider.append(
        (1, 'ООО УК "Строительные технологии"', "6623121212", "662301001",
         'ПАО "СБЕРБАНК РОССИИ"', "046577674", "40702810416540012345", "30101810500000000674",
         NOW)
    )  # fmt: skip
    provider.append(
        (2, 'АО "Нижнетагильская Энергосбытовая компания"', "6623029538", "662301001",
         'ПАО "СБЕРБАНК РОССИИ"', "046577674", "40702810916020101550", "30101810500000000674",
         NOW)
    )  # fmt: skip
    service = table("service", "id", "code", "name", "unit")
    service.append((1, "ELECTRICITY", "Электроэнергия", "кВт·ч"))
    service.append((2, "ELECTRICITY_COMMON", "Электроэнергия в целях содержания общего имущества", "кВт·ч"))  # fmt: skip
    tariff = table("tariff_rate", "id", "service_id", "zone", "rate", "valid_from")
    for service_id in (1, 2):
        for zone, day_rate in (("SINGLE", "5.15"), ("DAY", "5.87"), ("NIGHT", "2.9455"), ("PEAK", "7.1")):  # fmt: skip
            tariff.append((len(tariff) + 1, service_id, zone, D("4.91"), date(2024, 1, 1)))
            tariff.append(
                (len(tariff) + 1, service_id, zone, D(day_rate), periods.add_months(current, -4))
            )
            # A rate from next month on: must not show today.
            tariff.append(
                (len(tariff) + 1, service_id, zone, D("9.99"), periods.add_months(current, 1))
            )

    user = table(
        "user", "id", "login", "login_key", "password_hash", "email", "email_confirmed",
        "phone_confirmed", "city", "subscribed_to_mailing", "receipt_copies",
        "allow_readings_without_auth", "created_at",
    )  # fmt: skip
    session = table("session", "id", "user_id", "refresh_hash", "created_at", "expires_at")
    account = table(
        "account", "id", "number", "holder_name", "address", "city", "region", "created_at",
        "updated_at",
    )  # fmt: skip
    link = table("user_account", "id", "user_id", "account_id", "is_holder", "created_at")
    account_service = table(
        "account_service", "id", "account_id", "service_id", "provider_id", "recipient_id",
        "meter_count",
    )  # fmt: skip
    meter = table(
        "meter", "id", "account_id", "service_id", "serial_number", "kind",
        "next_verification_date", "created_at",
    )  # fmt: skip
    register = table("meter_register", "id", "meter_id", "zone", "description", "position")
    reading = table(
        "reading", "id", "register_id", "period", "value", "source", "status", "taken_at",
        "created_at", "customer_slot",
    )  # fmt: skip
    statement = table("statement", "id", "account_id", "period", "total_to_pay", "imported_at")
    line = table(
        "statement_line", "id", "statement_id", "service_id", "position", "tariff", "balance",
        "paid", "volume", "charged", "recalculation", "to_pay",
    )  # fmt: skip

    payment = (
        table(
            "payment", "id", "account_id", "user_id", "method", "status", "amount", "channel",
            "provider", "provider_payment_id", "created_at", "updated_at", "paid_at", "period",
        )
        if payments
        else []
    )  # fmt: skip
    payment_line = (
        table("payment_line", "id", "payment_id", "service_id", "recipient_id", "charged", "amount")
        if payments
        else []
    )  # fmt: skip

    for u in range(1, users + 1):
        login = f"user{u:06d}"
        user.append(
            (u, login, login, "-", f"{login}@example.ru", True, False, "Нижний Тагил", False,
             True, False, NOW)
        )  # fmt: skip
        session.append(
            (uuid.uuid4(), u, hashlib.sha256(login.encode()).hexdigest(), NOW,
             NOW + timedelta(days=30))
        )  # fmt: skip
        for k in range(u % 3 + 1):
            a = len(account) + 1
            account.append(
                (a, f"66{a:09d}", f"Абонент {u} {k}", f"г Нижний Тагил, ул Ленина, д. {u}, кв. {k}",
                 "Нижний Тагил", "66", NOW, NOW)
            )  # fmt: skip
            link.append((len(link) + 1, u, a, k == 0, NOW + timedelta(seconds=k)))
            account_service.append((len(account_service) + 1, a, 1, 1, 2, 1))
            account_service.append((len(account_service) + 1, a, 2, 1, 2, 0))
            m = len(meter) + 1
            meter.append(
                (m, a, 1, f"{900000 + m}", "INDIVIDUAL", date(2028, 1 + m % 12, 1 + m % 28), NOW)
            )
            zones = [("DAY", "День"), ("NIGHT", "Ночь")] if m % 2 else [("SINGLE", "Общий")]
            for position, (zone, description) in enumerate(zones):
                r = len(register) + 1
                register.append((r, m, zone, description, position))
                value = D(rnd.randint(1000, 20000))
                for months_back in range(history_months, 0, -1):
                    period = periods.add_months(current, -months_back)
                    taken = datetime.combine(period + timedelta(days=19), time(9, 30), tzinfo=UTC)
                    value += rnd.randint(20, 300)
                    reading.append(
                        (len(reading) + 1, r, period, value, "CABINET", "ACCEPTED", taken, taken,
                         None)
                    )  # fmt: skip
                if r % 2 == 0:
                    # A customer's pending reading holds its slot, as services.readings stores it.
                    taken = NOW - timedelta(minutes=r % 500)
                    reading.append(
                        (len(reading) + 1, r, current, value + 40, "CABINET", "PENDING", taken,
                         taken, f"{r}:{current.isoformat()}")
                    )  # fmt: skip
            for months_back in range(history_months, 0, -1):
                s = len(statement) + 1
                lines = []
                for position, service_id in enumerate((1, 2)):
                    vol = D(rnd.randint(10000, 60000)) / 1000
                    charged = (vol * D("5.15")).quantize(D("0.01"))
                    balance = D(rnd.randint(-5000, 30000)) / 100
                    lines.append(
                        (len(line) + len(lines) + 1, s, service_id, position, D("5.15"), balance,
                         balance, vol, charged, D("0.00"), charged)
                    )  # fmt: skip
                statement.append(
                    (
                        s,
                        a,
                        periods.add_months(current, -months_back),
                        sum(x[-1] for x in lines),
                        NOW,
                    )
                )
                line.extend(lines)
                if payments:
                    # The statement paid a few days after it came, through the cabinet.
                    paid = min(
                        datetime.combine(
                            periods.add_months(current, 1 - months_back)
                            + timedelta(days=rnd.randint(0, 9)),
                            time(8, rnd.randint(0, 59)),
                            tzinfo=UTC,
                        ),
                        NOW - timedelta(hours=a % 24 + 1),
                    )
                    amount = max(statement[-1][3], D("100.00"))
                    pid = uuid.UUID(int=rnd.getrandbits(128))
                    payment.append(
                        (pid, a, u, "CARD", "SUCCEEDED", amount, "cabinet", "sandbox",
                         f"{pid.hex[:20]}", paid, paid, paid, periods.add_months(current, -months_back))
                    )  # fmt: skip
                    payment_line.append((len(payment_line) + 1, pid, 1, 2, amount, amount))
    return out
