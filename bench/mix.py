"""The month-start peak: N simulated customers doing what customers do in the first days of a
month, all at once, against the real server.

Creates a fresh PostgreSQL database (`bench/dataset.py`: `--customers` users with six months
of history and succeeded payments), starts `server.py` (`--workers` processes sharing Redis,
the sandbox acquirer), opens `--subscribers` idle `paymentStatus` websockets (bench/push.py's
client, in a process of its own), and runs `--connections` simulated customers in a closed
loop for `--duration` seconds. Each request is drawn from the mix (`--mix`, weights per
customer visit): the dashboard, the payments and readings histories (a page of 20), a reading
preview and a submission (the user's day/night meter, higher values each time), a payment
(`createPayment`, registered with the sandbox acquirer) and, `--callback-delay` seconds later,
its signed CONFIRMED callback. A customer is simulated by one connection at a time.

Prints per kind: requests/s, p50/p99 latency, errors; the CPU of the server processes, of
PostgreSQL (the backends of the bench's database) and of this load generator; the read/write
split (requests and PostgreSQL's tuples); and the sizing figures: CPU milliseconds per customer
visit (one visit = the mix's weights), and the customers one core serves at the latency
objective (`--objective-ms`, p99 of every kind), at `--utilization` of a core, when
`--peak-share` of all customers visit in the busiest hour.

    .venv/bin/python bench/mix.py --customers 2000 --duration 30
    .venv/bin/python bench/mix.py --mix dashboard=1,payments=0.3,readings=0.3,preview=0.6,submit=0.5,pay=0.3

The load generator is Python in this process: on a small machine it takes CPU from the server
(printed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import asyncpg  # noqa: E402

from adapters.acquirers.sandbox import SIGNATURE_HEADER, signature_header  # noqa: E402
from bench import dataset, load  # noqa: E402
from bench.dashboard import DASHBOARD, PAYMENTS, READINGS  # noqa: E402
from bench.harness import SECRET, server_env, start, stop, wait_ready  # noqa: E402
from bench.push import Subscriber, client_process, insert_payments  # noqa: E402
from bench.readings import SUBMIT, TARGETS  # noqa: E402

SANDBOX_SECRET = SECRET + ":sandbox"
PREVIEW = """
mutation Preview($number: String!, $readings: [ReadingInput!]!) {
  previewReadings(accountNumber: $number, readings: $readings) {
    preview { lines { zone previous value consumption rate cost } totalConsumption totalCost period notice }
    errors { code field message }
  }
}
"""
CREATE = """
mutation Create($input: CreatePaymentInput!) {
  createPayment(input: $input) {
    payment { id status amount confirmationUrl }
    errors { code field message }
  }
}
"""
DEFAULT_MIX = "dashboard=1,payments=0.3,readings=0.3,preview=0.6,submit=0.5,pay=0.3"
# Reads and writes, for the split (a payment's callback is a write too).
READS = {"dashboard", "payments", "readings", "preview"}
PAYLOAD = {"preview": "previewReadings", "submit": "submitReadings", "pay": "createPayment"}


@dataclass
class Customer:
    token: str
    number: str
    # The day/night meter readings are submitted for (None: the user has none).
    meter_id: int | None = None
    zones: list[str] = field(default_factory=list)
    starts: list[float] = field(default_factory=list)
    rounds: int = 0

    def readings(self, step: int) -> list[dict]:
        return [
            {"meterId": str(self.meter_id), "zone": zone, "value": str(round(start + 7 * step, 3))}
            for zone, start in zip(self.zones, self.starts, strict=True)
        ]


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


async def customers(data: dataset.Dataset) -> list[Customer]:
    found = [Customer(t, n) for t, n in zip(data.tokens, data.numbers, strict=True)]
    conn = await asyncpg.connect(data.database_url.replace("postgres://", "postgresql://", 1))
    try:
        for row in await conn.fetch(TARGETS):
            customer = found[row["user_id"] - 1]
            customer.number = row["number"]
            customer.meter_id = row["meter_id"]
            customer.zones = list(row["zones"])
            customer.starts = [float(x) for x in row["starts"]]
    finally:
        await conn.close()
    return found


async def run_mix(
    port: int,
    database_url: str,
    people: list[Customer],
    weights: dict[str, float],
    *,
    connections: int,
    duration: float,
    callback_delay: float,
) -> tuple[Tally, float]:
    url = f"http://127.0.0.1:{port}/graphql"
    callback_url = f"http://127.0.0.1:{port}/payments/callback/sandbox"
    tally = Tally()
    kinds = list(weights)
    cumulative = [weights[k] for k in kinds]
    metered = [c for c in people if c.meter_id is not None]
    pool = await asyncpg.create_pool(
        database_url.replace("postgres://", "postgresql://", 1), min_size=1, max_size=4
    )
    callbacks: list[asyncio.Task] = []
    deadline = time.monotonic() + duration

    async def graphql(http, kind: str, customer: Customer, query: str, variables: dict) -> dict:
        body = json.dumps({"query": query, "variables": variables})
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {customer.token}"}
        started = time.perf_counter()
        try:
            async with http.post(url, data=body, headers=headers) as response:
                status, answer = response.status, await response.read()
        except (TimeoutError, aiohttp.ClientError) as error:
            tally.latencies[kind].append(time.perf_counter() - started)
            tally.errors[kind].append(f"{type(error).__name__}: {error}")
            return {}
        tally.latencies[kind].append(time.perf_counter() - started)
        data = json.loads(answer) if status == 200 else {}
        payload = (data.get("data") or {}).get(PAYLOAD.get(kind, ""), {}) if data else {}
        if status != 200 or data.get("errors") or (payload and payload.get("errors")):
            problem = data.get("errors") or (payload or {}).get("errors") or answer[:200]
            tally.errors[kind].append(f"HTTP {status}: {str(problem)[:200]}")
            return {}
        return data["data"]

    async def callback(http, payment_id: str) -> None:
        await asyncio.sleep(callback_delay)
        reference = await pool.fetchval(
            "SELECT provider_payment_id FROM payment WHERE id = $1", uuid.UUID(payment_id)
        )
        body = json.dumps(
            {"id": reference, "orderId": payment_id, "status": "CONFIRMED", "amount": 50000,
             "method": "CARD"}
        ).encode()  # fmt: skip
        headers = {
            SIGNATURE_HEADER: signature_header(SANDBOX_SECRET, body),
            "Content-Type": "application/json",
        }
        started = time.perf_counter()
        try:
            async with http.post(callback_url, data=body, headers=headers) as response:
                text = await response.text()
                ok = response.status == 200 and text.strip() == "OK"
        except (TimeoutError, aiohttp.ClientError) as error:
            ok, text = False, f"{type(error).__name__}: {error}"
        tally.latencies["callback"].append(time.perf_counter() - started)
        if not ok:
            tally.errors["callback"].append(text[:200])

    async def one(http, rnd: random.Random, mine: list[Customer], mine_metered: list[Customer]) -> None:  # fmt: skip
        kind = rnd.choices(kinds, cum_weights=None, weights=cumulative)[0]
        if kind in ("preview", "submit") and not mine_metered:
            kind = "dashboard"
        if kind in ("preview", "submit"):
            customer = rnd.choice(mine_metered)
            if kind == "submit":
                customer.rounds += 1
            step = customer.rounds + (1 if kind == "preview" else 0)
            query = PREVIEW if kind == "preview" else SUBMIT
            variables = {"number": customer.number, "readings": customer.readings(step)}
            await graphql(http, kind, customer, query, variables)
            return
        customer = rnd.choice(mine)
        if kind == "dashboard":
            await graphql(http, kind, customer, DASHBOARD, {})
        elif kind in ("payments", "readings"):
            query = PAYMENTS if kind == "payments" else READINGS
            await graphql(http, kind, customer, query, {"number": customer.number})
        elif kind == "pay":
            variables = {
                "input": {
                    "accountNumber": customer.number,
                    "method": "CARD",
                    "lines": [{"serviceCode": "ELECTRICITY", "amount": "500.00"}],
                    "totalConfirmed": True,
                    "receiptEmail": "bench@example.com",
                }
            }
            data = await graphql(http, kind, customer, CREATE, variables)
            payment = (data.get("createPayment") or {}).get("payment") if data else None
            if payment:
                callbacks.append(asyncio.create_task(callback(http, payment["id"])))

    async def worker(index: int, http) -> None:
        rnd = random.Random(index)
        # Each simulated customer belongs to one connection: never two requests of one at once.
        mine = people[index::connections]
        mine_metered = [c for c in mine if c.meter_id is not None] or []
        while time.monotonic() < deadline:
            await one(http, rnd, mine, mine_metered)

    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=10)
    started = time.monotonic()
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        await asyncio.gather(*(worker(i, http) for i in range(connections)))
        await asyncio.gather(*callbacks)
    await pool.close()
    del metered
    return tally, time.monotonic() - started


def pg_tuples(database_url: str) -> dict[str, int]:
    async def query() -> dict[str, int]:
        conn = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
        try:
            row = await conn.fetchrow(
                "SELECT tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted, "
                "xact_commit FROM pg_stat_database WHERE datname = current_database()"
            )
        finally:
            await conn.close()
        return dict(row)

    return asyncio.run(query())


def main() -> None:
    parser = argparse.ArgumentParser(description="The month-start peak, a realistic mix.")
    parser.add_argument("--customers", type=int, default=2000, help="simulated customers (users)")
    parser.add_argument("--connections", type=int, default=32, help="customers active at once")
    parser.add_argument("--duration", type=float, default=30, help="seconds of load")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of load not counted")
    parser.add_argument("--mix", default=DEFAULT_MIX, help="weights per visit: kind=weight,...")
    parser.add_argument("--subscribers", type=int, default=1000, help="idle paymentStatus sockets")
    parser.add_argument("--callback-delay", type=float, default=1.0, help="seconds to the callback")
    parser.add_argument("--workers", type=int, default=2, help="server processes (LK_WORKERS)")
    parser.add_argument("--objective-ms", type=float, default=500, help="p99 objective, every kind")
    parser.add_argument("--utilization", type=float, default=0.7, help="share of a core planned")
    parser.add_argument(
        "--peak-share", type=float, default=0.10,
        help="share of all customers visiting in the busiest hour of the month",
    )  # fmt: skip
    parser.add_argument("--database-server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database-name", default="lk_bench_mix")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--port", type=int, default=18930)
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()
    weights = {k: float(v) for k, v in (x.split("=") for x in args.mix.split(","))}
    unknown = set(weights) - {"dashboard", "payments", "readings", "preview", "submit", "pay"}
    if unknown:
        parser.error(f"unknown kinds in --mix: {', '.join(sorted(unknown))}")

    data = asyncio.run(
        dataset.build(
            args.database_server,
            args.database_name,
            users=args.customers,
            secret_key=SECRET,
            payments=True,
        )
    )
    people = asyncio.run(customers(data))
    subs = [
        Subscriber(args.port, s.token, s.payment_id, s.provider_payment_id)
        for s in asyncio.run(insert_payments(data.database_url, data.tokens, args.subscribers))
    ]
    print(
        f"data: {data.users} customers, {data.accounts} accounts, "
        f"{sum(c.meter_id is not None for c in people)} with a day/night meter",
        flush=True,
    )
    logs = Path(os.environ.get("TMPDIR", "/tmp")) / "lk-bench-mix"
    logs.mkdir(exist_ok=True)
    env = server_env(
        data.database_url,
        redis_url=args.redis_url,
        prefix="lkbench-mix",
        port=args.port,
        workers=args.workers,
        pool=20,
        LK_SANDBOX_SECRET=SANDBOX_SECRET,
        LK_PUBLIC_URL=f"http://127.0.0.1:{args.port}",
        LK_CAPTCHA="disabled",
    )
    server = start([sys.executable, "server.py"], env, logs / "server.log")
    client = None
    try:
        asyncio.run(
            wait_ready(
                f"http://127.0.0.1:{args.port}/graphql", server, data.tokens[0], args.workers
            )
        )
        pids = load.process_tree(server.pid)
        parent, child = multiprocessing.Pipe()
        if subs:
            client = multiprocessing.Process(target=client_process, args=(subs, child))
            client.start()
            _, ready, _, failed = parent.recv()
            print(f"subscriptions: {ready} open, {failed} failed", flush=True)
        if args.warmup:
            asyncio.run(
                run_mix(args.port, data.database_url, people, weights,
                        connections=args.connections, duration=args.warmup, callback_delay=0.1)
            )  # fmt: skip
        backends = load.pg_backends(data.database_url, args.database_name)
        tuples_before = pg_tuples(data.database_url)
        me = [os.getpid()] + ([client.pid] if client else [])
        cpu_before = load.cpu_seconds(pids + backends + me)
        load_average = os.getloadavg()
        tally, wall = asyncio.run(
            run_mix(args.port, data.database_url, people, weights, connections=args.connections,
                    duration=args.duration, callback_delay=args.callback_delay)
        )  # fmt: skip
        backends_after = load.pg_backends(data.database_url, args.database_name)
        cpu_after = load.cpu_seconds(pids + backends + me)
        tuples_after = pg_tuples(data.database_url)
        load_after = os.getloadavg()
        if client:
            parent.send("stop")
            parent.recv()
            client.join(timeout=30)
    finally:
        stop(server)
        if client is not None and client.is_alive():
            client.kill()
        if not args.keep_database:
            asyncio.run(dataset.drop_database(args.database_server, args.database_name))

    def used(group: list[int]) -> float:
        return sum(cpu_after.get(p, 0) - cpu_before.get(p, 0) for p in group)

    def pct(values: list[float], p: float) -> float:
        values = sorted(values)
        return values[min(len(values) - 1, int(len(values) * p))] * 1000 if values else 0.0

    print(
        f"\n{args.customers} customers, {args.connections} at once, {args.workers} server "
        f"processes, {len(subs)} idle subscriptions, {wall:.1f} s; {os.cpu_count()} cores, load "
        f"average {load_average[0]:.2f} at the start, {load_after[0]:.2f} at the end"
    )
    print(f"{'kind':<10} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    total = 0
    worst = 0.0
    reads = writes = 0
    for kind in [*weights, "callback"]:
        values = tally.latencies.get(kind, [])
        total += len(values)
        if kind in READS:
            reads += len(values)
        else:
            writes += len(values)
        worst = max(worst, pct(values, 0.99))
        print(
            f"{kind:<10} {len(values) / wall:7.1f} {pct(values, 0.5):8.1f} "
            f"{pct(values, 0.99):8.1f} {len(tally.errors.get(kind, [])):7d}"
        )
        for error in tally.errors.get(kind, [])[:2]:
            print(f"    {error}")
    app = used(pids)
    pg = used(backends)
    visits = sum(len(tally.latencies.get(k, [])) for k in weights) / sum(weights.values())
    print(
        f"all       {total / wall:7.1f}   (visits: {visits:.0f}, {visits / wall:.1f}/s; "
        f"reads {reads}, writes {writes} = {100 * reads / max(total, 1):.0f} % reads)"
    )
    print(
        f"CPU (cores): server {app / wall:.2f} "
        f"({' + '.join(f'{used([p]) / wall:.2f}' for p in pids)}), PostgreSQL backends of the "
        f"bench {pg / wall:.2f} ({len(backends)} at the start, {len(backends_after)} at the end), "
        f"load generator {used(me) / wall:.2f}"
    )
    changed = {k: tuples_after[k] - tuples_before[k] for k in tuples_before}
    read_tuples = changed["tup_returned"] + changed["tup_fetched"]
    write_tuples = changed["tup_inserted"] + changed["tup_updated"] + changed["tup_deleted"]
    print(
        f"PostgreSQL: {changed['xact_commit'] / wall:.0f} commits/s, tuples read "
        f"{read_tuples / wall:.0f}/s, written {write_tuples / wall:.0f}/s"
    )
    app_ms = 1000 * app / max(visits, 1)
    pg_ms = 1000 * pg / max(visits, 1)
    met = worst <= args.objective_ms
    per_core_visits = args.utilization * 1000 / app_ms if app_ms else float("nan")
    per_core_customers = per_core_visits * 3600 / args.peak_share
    print(
        f"per visit ({args.mix}): server CPU {app_ms:.1f} ms, PostgreSQL CPU {pg_ms:.1f} ms "
        f"({pg_ms / app_ms if app_ms else 0:.2f} of the server's)"
    )
    print(
        f"objective p99 <= {args.objective_ms:g} ms for every kind: "
        f"{'met' if met else 'NOT met'} in this run (worst p99 {worst:.0f} ms at "
        f"{app / wall / max(args.workers, 1):.2f} of a core per server process)"
    )
    print(
        f"one core at {args.utilization:.0%} serves {per_core_visits:.1f} visits/s = "
        f"{per_core_customers:,.0f} customers when {args.peak_share:.0%} of them visit in the "
        f"busiest hour; PostgreSQL needs {pg_ms / app_ms if app_ms else 0:.2f} core per server core"
    )
    errors = sum(len(v) for v in tally.errors.values())
    if errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
