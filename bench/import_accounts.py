"""Bench: import N accounts (services, a day/night meter, one statement each) into a fresh
PostgreSQL database, and print the time and peak memory.

    python bench/import_accounts.py --accounts 100000 \
        --server postgres://postgres@127.0.0.1:5432 --database lk_bench_import

Makes accounts.jsonl and statements.jsonl under --workdir, drops and creates the database,
applies migrations, imports providers and services, then the accounts and the statements as
`python cli.py import ...` does (the same runner, batches of --batch-size rows, one transaction
each). Run it twice on the same files to time a re-run that changes nothing (--rerun).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import time
from pathlib import Path

import asyncpg
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from infra.database import close_database, open_database
from services.integration import catalog, providers
from services.integration.results import Item, Summary
from services.integration.runner import import_file

SUPPLIER, RECIPIENT = "6623121212", "6623029538"


def make_files(workdir: Path, count: int) -> tuple[Path, Path]:
    workdir.mkdir(parents=True, exist_ok=True)
    accounts, statements = (
        workdir / f"accounts-{count}.jsonl",
        workdir / f"statements-{count}.jsonl",
    )
    if accounts.exists() and statements.exists():
        return accounts, statements
    with accounts.open("wb") as a, statements.open("wb") as s:
        for i in range(count):
            number = f"77{i:09d}"
            services = [
                {"code": "ELECTRICITY", "supplier_inn": SUPPLIER, "recipient_inn": RECIPIENT},
                {
                    "code": "ELECTRICITY_COMMON",
                    "supplier_inn": SUPPLIER,
                    "recipient_inn": RECIPIENT,
                },
            ]
            meter = {
                "serial_number": f"S{i:08d}",
                "service_code": "ELECTRICITY",
                "kind": "INDIVIDUAL",
                "next_verification_date": "2030-01-01",
                "registers": [{"zone": "DAY"}, {"zone": "NIGHT"}],
            }
            a.write(
                orjson.dumps(
                    {
                        "number": number,
                        "holder_name": f"Абонент {i}",
                        "address": f"г Нижний Тагил, ул Ленина, д. {i % 300}, кв. {i % 97}",
                        "city": "Нижний Тагил",
                        "region": "66",
                        "services": services,
                        "meters": [meter],
                    }
                )
                + b"\n"
            )
            line = {
                "tariff": "5.15", "balance": "100.00", "paid": "100.00", "volume": "33.000",
                "charged": "169.95", "recalculation": "0.00", "to_pay": "169.95",
            }  # fmt: skip
            s.write(
                orjson.dumps(
                    {
                        "account_number": number,
                        "period": "2026-10-01",
                        "total_to_pay": "339.90",
                        "lines": [
                            dict(line, service_code="ELECTRICITY"),
                            dict(line, service_code="ELECTRICITY_COMMON"),
                        ],
                    }
                )
                + b"\n"
            )
    return accounts, statements


async def recreate(server: str, name: str) -> str:
    admin = server.replace("postgres://", "postgresql://", 1).rstrip("/") + "/postgres"
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return server.rstrip("/") + "/" + name


async def seed() -> None:
    await providers.import_providers(
        [
            Item(1, {"inn": SUPPLIER, "name": 'ООО УК "Строительные технологии"'}),
            Item(2, {"inn": RECIPIENT, "name": 'АО "НТЭСК"'}),
        ]
    )
    await catalog.import_services(
        [
            Item(1, {"code": "ELECTRICITY", "name": "Электроэнергия"}),
            Item(2, {"code": "ELECTRICITY_COMMON", "name": "Электроэнергия ОДН"}),
        ]
    )


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def database_cpu_seconds(admin: str, name: str) -> float:
    """CPU time of the server processes serving the bench database (this machine's PostgreSQL):
    with the client's CPU it bounds what the import costs without other load on the cores."""
    conn = await asyncpg.connect(admin)
    try:
        pids = await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", name
        )
    finally:
        await conn.close()
    return sum(_process_cpu_seconds(row["pid"]) for row in pids)


def _process_cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def timed(kind: str, path: Path, batch_size: int, admin: str, name: str) -> float:
    db_cpu = await database_cpu_seconds(admin, name)
    started, cpu = time.perf_counter(), cpu_seconds()
    summary = await import_file(kind, path, batch_size=batch_size, summary=Summary())
    elapsed = time.perf_counter() - started
    db_cpu = await database_cpu_seconds(admin, name) - db_cpu
    print(
        f"{kind:<10} {elapsed:7.1f} s  created {summary.created}  updated {summary.updated}  "
        f"unchanged {summary.unchanged}  refused {len(summary.refused)}  "
        f"cpu {cpu_seconds() - cpu:.1f} s + postgres {db_cpu:.1f} s  load {os.getloadavg()[0]:.1f}  "
        f"peak RSS {peak_rss_mb():.0f} MB"
    )
    return elapsed


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="lk_bench_import")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/lk-bench"))
    parser.add_argument("--rerun", action="store_true", help="import the same files again")
    args = parser.parse_args()

    accounts, statements = make_files(args.workdir, args.accounts)
    print(
        f"{args.accounts} accounts: {accounts} ({accounts.stat().st_size >> 20} MB), {statements}"
    )
    url = await recreate(args.server, args.database)
    admin = args.server.replace("postgres://", "postgresql://", 1).rstrip("/") + "/postgres"
    phase = (args.batch_size, admin, args.database)
    await open_database(url, schema_mode="migrate")
    try:
        await seed()
        print(f"peak RSS before the import {peak_rss_mb():.0f} MB")
        total = await timed("accounts", accounts, *phase)
        total += await timed("statements", statements, *phase)
        print(f"total      {total:7.1f} s")
        if args.rerun:
            rerun = await timed("accounts", accounts, *phase)
            rerun += await timed("statements", statements, *phase)
            print(f"re-run     {rerun:7.1f} s")
    finally:
        await close_database()


if __name__ == "__main__":
    asyncio.run(main())
