"""Bench: the electronic-bill run for N paperless accounts on PostgreSQL.

    .venv/bin/python bench/ebill.py --accounts 100000 \
        --server postgres://postgres@127.0.0.1:5432 --database lk_bench_ebill --render 300

Fills a fresh database by COPY (bench/dataset.py: users with 1-3 accounts, one month of
history), then, in this process, as `cli.py import statements` does (the importer, batches of
--batch-size statements, one transaction each):

1. imports a new period's statements for every account while none is paperless (the import
   alone);
2. makes every account paperless (COPY into ebill_subscription) and imports the next period:
   the same import plus the hand-off (one ebill_delivery row per account, reserved in each
   batch's transaction);
3. imports that period again (billing's retry): UNCHANGED, no new delivery;
4. times the hand-off statement alone (services.ebill.handoff.reserve_deliveries, batches of
   --batch-size, for a third period);
5. runs the delivery pass (services.ebill.delivery.deliver_pending: read, render the PDF, queue
   it in the outbox) on a sample of --render bills, and extrapolates the rate per core to N.

Prints every figure; CPU is this process's (user + system, threads included), the database's
is not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import time
from datetime import date
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tortoise.transactions import in_transaction

import models
from adapters.broker import create_broker
from bench import dataset
from infra.database import close_database, open_database
from infra.runtime import Runtime
from services import periods
from services.ebill import delivery, handoff
from services.integration.kinds import KINDS
from services.integration.results import Summary, items_of
from settings import Settings

SECRET = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def statement_rows(numbers: list[str], period: date) -> list[dict]:
    line = {
        "tariff": "5.15", "balance": "100.00", "paid": "100.00", "volume": "33.000",
        "charged": "169.95", "recalculation": "0.00", "to_pay": "169.95",
    }  # fmt: skip
    return [
        {
            "account_number": number,
            "period": period.isoformat(),
            "total_to_pay": "339.90",
            "lines": [
                dict(line, service_code="ELECTRICITY"),
                dict(line, service_code="ELECTRICITY_COMMON"),
            ],
        }
        for number in numbers
    ]


async def import_period(numbers: list[str], period: date, batch_size: int) -> tuple[Summary, float, float]:
    """Imports the period's statements in batches; answers the summary, wall and CPU seconds."""
    steps = KINDS["statements"]
    rows = statement_rows(numbers, period)
    summary = Summary()
    wall, cpu = time.perf_counter(), cpu_seconds()
    for start in range(0, len(rows), batch_size):
        batch = steps.prepare(items_of(rows[start : start + batch_size], start=start))
        summary.add(await steps.apply(batch))
    return summary, time.perf_counter() - wall, cpu_seconds() - cpu


async def make_paperless(url: str) -> int:
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        moment = dataset.NOW
        account_ids = [r["id"] for r in await conn.fetch("SELECT id FROM account ORDER BY id")]
        await conn.copy_records_to_table(
            "ebill_subscription",
            columns=["account_id", "email", "active", "source", "version", "started_at",
                     "changed_at"],
            records=[
                (a, f"client{a}@example.ru", True, "CABINET", 1, moment, moment)
                for a in account_ids
            ],
        )  # fmt: skip
        await conn.execute("ANALYZE ebill_subscription")
        return len(account_ids)
    finally:
        await conn.close()


def report(label: str, summary: Summary | None, wall: float, cpu: float, count: int) -> None:
    what = f" ({summary.created} created, {summary.unchanged} unchanged)" if summary else ""
    print(
        f"{label}: {wall:.1f} s wall, {cpu:.1f} s CPU, "
        f"{count / wall:,.0f} statements/s{what}",
        flush=True,
    )


async def main(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    data = await dataset.build(
        args.server, args.database, users=args.accounts // 2, secret_key=SECRET, history_months=1
    )
    print(f"dataset: {data.accounts} accounts of {data.users} users, "
          f"{time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
    await open_database(data.database_url, schema_mode="none")
    try:
        numbers = [a.number for a in await models.Account.all().only("number").order_by("id")]
        count = len(numbers)
        current = periods.current_period(dataset.TIMEZONE)
        first, second, third = (periods.add_months(current, n) for n in (1, 2, 3))

        summary, wall, cpu = await import_period(numbers, first, args.batch_size)
        report("1. import, no paperless account", summary, wall, cpu, count)
        base_wall, base_cpu = wall, cpu

        await make_paperless(data.database_url)
        summary, wall, cpu = await import_period(numbers, second, args.batch_size)
        report("2. import with the hand-off, all paperless", summary, wall, cpu, count)
        pending = await models.EbillDelivery.filter(period=second).count()
        print(f"   deliveries reserved: {pending}; hand-off ≈ {wall - base_wall:+.1f} s wall, "
              f"{cpu - base_cpu:+.1f} s CPU against step 1", flush=True)  # fmt: skip

        summary, wall, cpu = await import_period(numbers, second, args.batch_size)
        report("3. the same import again", summary, wall, cpu, count)
        again = await models.EbillDelivery.filter(period=second).count()
        print(f"   deliveries after the retry: {again} (unchanged: {again == pending})")

        account_ids = [a.id for a in await models.Account.all().only("id").order_by("id")]
        wall, cpu = time.perf_counter(), cpu_seconds()
        for start in range(0, len(account_ids), args.batch_size):
            async with in_transaction():
                await handoff.reserve_deliveries(
                    [(a, third) for a in account_ids[start : start + args.batch_size]]
                )
        wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
        print(f"4. hand-off statement alone: {count} deliveries in {wall:.2f} s wall, "
              f"{cpu:.2f} s CPU ({count / wall:,.0f}/s)", flush=True)  # fmt: skip
        await models.EbillDelivery.filter(period=third).delete()

        settings = Settings(
            _env_file=None, database_url=data.database_url, secret_key=SECRET, demo_data=False
        )
        rt = Runtime.from_settings(settings, create_broker(""))
        # Warm-up (fonts, QR cache of the recipient's code), not counted.
        await delivery.deliver_pending(rt, limit=3)
        wall, cpu = time.perf_counter(), cpu_seconds()
        handled = await delivery.deliver_pending(rt, limit=args.render)
        wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
        queued = await models.EbillDelivery.filter(status="QUEUED").count()
        per_bill = cpu / handled
        print(f"5. delivery pass, sample of {handled}: {wall:.1f} s wall, {cpu:.1f} s CPU, "
              f"{per_bill * 1000:.0f} ms CPU a bill, {handled / wall:.1f} bills/s, "
              f"{1 / per_bill:.1f} bills/s per core of CPU", flush=True)  # fmt: skip
        conn = await asyncpg.connect(data.database_url.replace("postgres://", "postgresql://", 1))
        try:
            size = await conn.fetchval(
                "SELECT avg(length(attachments::text) + length(body)) FROM outgoing_message"
            )
        finally:
            await conn.close()
        print(f"   queued: {queued}; outbox row ≈ {float(size) / 1024:.1f} KB (PDF in base64)")
        hours = count * per_bill / 3600
        print(f"   extrapolated to {count} bills: {hours:.1f} h on one core, "
              f"{hours / 2:.1f} h on two; outbox ≈ {count * float(size) / 2**30:.1f} GB",
              flush=True)  # fmt: skip
    finally:
        await close_database()
        if not args.keep:
            await dataset.drop_database(args.server, args.database)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="lk_bench_ebill")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--render", type=int, default=300, help="bills rendered in the sample")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    asyncio.run(main(parser.parse_args()))
