"""Benchmark of reading submissions: many users submitting at once, then a check that none was lost
or doubled.

Creates a fresh PostgreSQL database with generated data (`bench/dataset.py`), starts `server.py`
(LK_WORKERS processes, Redis broker), and keeps `--clients` submitReadings mutations in flight,
each from a different user on that user's day/night meter with higher values than last time.
A user is submitted for by one client at a time, so the last value a client got a success for
is the value that must be stored. Prints submissions/s, p50/p99 latency, errors and the CPU the
server processes used per submission, then checks the database: exactly one pending CABINET
reading per register and period for every user that got a success, holding that last value.

    .venv/bin/python bench/readings.py [--duration 15] [--clients 64] [--users 3000]
    .venv/bin/python bench/readings.py --submissions 5000     # a fixed count instead

Needs PostgreSQL and Redis (--database-server, --redis-url). The load generator is Python
(asyncio + aiohttp) in this process: on a small machine it takes CPU from the server, which is
why CPU milliseconds per submission are printed beside the rates.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import asyncpg  # noqa: E402

from bench import dataset, load  # noqa: E402
from bench.harness import SECRET, server_env, start, stop, stop_profiler, wait_ready  # noqa: E402

SUBMIT = """
mutation Submit($number: String!, $readings: [ReadingInput!]!) {
  submitReadings(accountNumber: $number, readings: $readings) {
    readings { zone value status }
    errors { code field message }
    period
  }
}
"""

# Every user's first account with a day/night meter (users without one are left out), its
# registers and the value each starts the current period from (the newest accepted reading).
TARGETS = """
SELECT DISTINCT ON (ua.user_id) ua.user_id, a.number, m.id AS meter_id,
       array_agg(r.zone ORDER BY r.position) AS zones,
       array_agg((SELECT max(x.value) FROM reading x
                  WHERE x.register_id = r.id AND x.status = 'ACCEPTED') ORDER BY r.position)
         AS starts,
       array_agg(r.id ORDER BY r.position) AS register_ids
FROM user_account ua
JOIN account a ON a.id = ua.account_id
JOIN meter m ON m.account_id = a.id
JOIN meter_register r ON r.meter_id = m.id
GROUP BY ua.user_id, ua.id, a.number, m.id
HAVING count(*) = 2
ORDER BY ua.user_id, ua.id
"""

STORED = """
SELECT register_id, count(*) AS pending, array_agg(value) AS "values",
       array_agg(customer_slot) AS slots
FROM reading
WHERE register_id = ANY($1::int[]) AND period = $2 AND source = 'CABINET' AND status = 'PENDING'
GROUP BY register_id
"""


@dataclass
class Target:
    """One user and the meter the bench submits for."""

    token: str
    number: str
    meter_id: int
    zones: list[str]
    starts: list[Decimal]
    register_ids: list[int]
    submitted: int = 0
    rounds: int = 0
    # The values of the last submission that succeeded, in register order.
    confirmed: list[Decimal] | None = None

    def next_readings(self, *, again: bool = False) -> list[dict]:
        """Higher values than the last submission's; or, `again`, the same ones."""
        step = self.rounds if again else self.rounds + 1
        self.rounds = step
        self.submitted += 1
        return [
            {"meterId": str(self.meter_id), "zone": zone, "value": str(start + 7 * step)}
            for zone, start in zip(self.zones, self.starts, strict=True)
        ]


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    periods: set[str] = field(default_factory=set)


async def submit(
    http: aiohttp.ClientSession, url: str, target: Target, tally: Tally, *, again: bool = False
) -> None:
    readings = target.next_readings(again=again)
    body = json.dumps(
        {"query": SUBMIT, "variables": {"number": target.number, "readings": readings}}
    )
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {target.token}"}
    started = time.perf_counter()
    try:
        async with http.post(url, data=body, headers=headers) as response:
            status, answer = response.status, await response.read()
    except (TimeoutError, aiohttp.ClientError) as error:
        tally.latencies.append(time.perf_counter() - started)
        tally.errors.append(f"{type(error).__name__}: {error}")
        return
    tally.latencies.append(time.perf_counter() - started)
    if status != 200:
        tally.errors.append(f"HTTP {status}: {answer[:200]!r}")
        return
    data = json.loads(answer)
    payload = (data.get("data") or {}).get("submitReadings")
    if data.get("errors") or payload is None or payload["errors"]:
        tally.errors.append(str(data.get("errors") or payload["errors"])[:300])
        return
    stored = [Decimal(r["value"]) for r in payload["readings"]]
    sent = [Decimal(r["value"]) for r in readings]
    if stored != sent:
        tally.errors.append(f"answered {stored} for {sent}")
        return
    target.confirmed = sent
    tally.periods.add(payload["period"])


async def drive(url: str, targets: list[Target], args) -> tuple[Tally, float]:
    """Warm-up, then the measured run; answers the measured tally and its seconds."""
    # Users wait in a queue: a client takes one, submits (`--repeat` times) and puts it back, so
    # no user has two submissions in flight and every user comes round before any comes again.
    queue: asyncio.Queue[Target] = asyncio.Queue()
    for target in targets:
        queue.put_nowait(target)
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:

        async def client(tally: Tally, deadline: float, remaining: itertools.count) -> None:
            while time.perf_counter() < deadline and next(remaining) > 0:
                target = await queue.get()
                try:
                    for _ in range(args.repeat):
                        await submit(http, url, target, tally)
                        if args.unchanged:
                            await submit(http, url, target, tally, again=True)
                finally:
                    queue.put_nowait(target)

        async def run(seconds: float, count: int | None) -> tuple[Tally, float]:
            tally = Tally()
            remaining = itertools.count(count, -1) if count else itertools.repeat(1)
            started = time.perf_counter()
            await asyncio.gather(
                *(client(tally, started + seconds, remaining) for _ in range(args.clients))
            )
            return tally, time.perf_counter() - started

        await run(args.warmup, None)
        if args.submissions:
            per_turn = args.repeat * (2 if args.unchanged else 1)
            return await run(float("inf"), -(-args.submissions // per_turn))
        return await run(args.duration, None)


async def prepare(database_url: str, tokens: list[str], limit: int) -> list[Target]:
    conn = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
    try:
        rows = await conn.fetch(TARGETS)
    finally:
        await conn.close()
    return [
        Target(
            token=tokens[row["user_id"] - 1],
            number=row["number"],
            meter_id=row["meter_id"],
            zones=list(row["zones"]),
            starts=list(row["starts"]),
            register_ids=list(row["register_ids"]),
        )
        for row in rows[:limit]
    ]


async def verify(database_url: str, targets: list[Target], periods: set[str]) -> list[str]:
    """What is wrong in the database: a register of a user that got a success without exactly
    one pending CABINET reading of the period, or holding another value than the last success."""
    if len(periods) != 1:
        return [f"submissions answered several periods: {sorted(periods)}"]
    period = date.fromisoformat(periods.pop())
    confirmed = [t for t in targets if t.confirmed is not None]
    expected = {
        register_id: value
        for t in confirmed
        for register_id, value in zip(t.register_ids, t.confirmed, strict=True)  # type: ignore[arg-type]
    }
    conn = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
    try:
        rows = await conn.fetch(STORED, list(expected), period)
    finally:
        await conn.close()
    found = {row["register_id"]: row for row in rows}
    problems = []
    for register_id, value in expected.items():
        row = found.get(register_id)
        if row is None:
            problems.append(f"register {register_id}: lost (no pending reading)")
        elif row["pending"] != 1:
            problems.append(f"register {register_id}: {row['pending']} pending readings")
        elif row["values"][0] != value:
            problems.append(f"register {register_id}: stored {row['values'][0]}, last sent {value}")
        elif row["slots"][0] != f"{register_id}:{period.isoformat()}":
            problems.append(f"register {register_id}: customer slot {row['slots'][0]}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description="submitReadings under concurrent load.")
    parser.add_argument("--duration", type=float, default=15, help="seconds of measured load")
    parser.add_argument("--submissions", type=int, help="a fixed count instead of --duration")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of load first")
    parser.add_argument("--clients", type=int, default=64, help="submissions in flight")
    parser.add_argument("--users", type=int, default=3000, help="generated users")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="submissions per turn of a user; each one with higher values",
    )
    parser.add_argument(
        "--unchanged",
        action="store_true",
        help="follow every submission with the same values again (the path that writes nothing)",
    )
    parser.add_argument("--workers", type=int, default=int(os.environ.get("LK_WORKERS") or 2))
    parser.add_argument("--database-server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database-name", default="lk_bench_readings")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--port", type=int, default=18800)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="record one worker with py-spy meanwhile (collapsed stacks, for flamegraph tools)",
    )
    args = parser.parse_args()

    started = time.monotonic()
    data = asyncio.run(
        dataset.build(args.database_server, args.database_name, users=args.users, secret_key=SECRET)
    )
    targets = asyncio.run(prepare(data.database_url, data.tokens, args.users))
    print(
        f"data: {data.users} users, {data.accounts} accounts, {len(targets)} users with a "
        f"day/night meter submit ({time.monotonic() - started:.1f} s)"
    )
    logs = Path(os.environ.get("TMPDIR", "/tmp")) / "lk-bench-readings"
    logs.mkdir(exist_ok=True)
    pool = max(4, args.clients // args.workers)
    env = server_env(
        data.database_url,
        redis_url=args.redis_url,
        prefix="lkbench-readings",
        port=args.port,
        workers=args.workers,
        pool=pool,
    )
    url = f"http://127.0.0.1:{args.port}/graphql"
    server = start([sys.executable, "server.py"], env, logs / "server.log")
    profiler = None
    try:
        asyncio.run(wait_ready(url, server, data.tokens[0], args.workers))
        pids = load.process_tree(server.pid)
        if args.profile:
            worker = next(p for p in pids if p != server.pid)
            profiler = start(
                [
                    str(Path(sys.executable).with_name("py-spy")),
                    "record",
                    "-f",
                    "raw",
                    "-r",
                    "200",
                    "-o",
                    args.profile,
                    "-p",
                    str(worker),
                ],
                dict(os.environ),
                logs / "py-spy.log",
            )
        load_average = os.getloadavg()[0]
        # CPU is counted over warm-up and run alike; the submissions of both are counted too.
        before = load.cpu_seconds(pids)
        wall = time.monotonic()
        tally, seconds = asyncio.run(drive(url, targets, args))
        after = load.cpu_seconds(pids)
        wall = time.monotonic() - wall
        if profiler:
            stop_profiler(profiler)
        problems = asyncio.run(verify(data.database_url, targets, set(tally.periods)))
    finally:
        if profiler:
            stop_profiler(profiler)
        stop(server)
        if not args.keep:
            asyncio.run(dataset.drop_database(args.database_server, args.database_name))
    report(tally, seconds, before, after, wall, load_average, targets, problems, args)
    if problems or tally.errors:
        sys.exit(1)


def report(tally, seconds, before, after, wall, load_average, targets, problems, args) -> None:
    done = len(tally.latencies)
    total = sum(t.submitted for t in targets)
    latencies = sorted(tally.latencies)

    def pct(p: float) -> float:
        return latencies[min(done - 1, int(done * p))] * 1000 if done else float("nan")

    used = {p: after[p] - before.get(p, 0) for p in after}
    cpu = sum(used.values())
    per_process = " ".join(f"{v / wall:.2f}" for v in sorted(used.values(), reverse=True) if v > 0.01)  # fmt: skip
    users = sum(1 for t in targets if t.confirmed is not None)
    print(
        f"\n{args.clients} clients, {args.workers} worker(s), {os.cpu_count()} cores, "
        f"load average {load_average:.2f} at the start"
    )
    print(
        f"submissions: {done} in {seconds:.1f} s = {done / seconds:.0f}/s "
        f"(target >= 300), p50 {pct(0.5):.1f} ms, p99 {pct(0.99):.1f} ms, errors {len(tally.errors)}"
    )
    print(
        f"server CPU: {cpu / wall:.2f} cores ({per_process}), "
        f"{cpu / total * 1000:.2f} ms per submission ({total} with the warm-up)"
    )
    for error in tally.errors[:5]:
        print(f"  error: {error}")
    if problems:
        print(f"database check FAILED for {len(problems)} registers:")
        for problem in problems[:10]:
            print(f"  {problem}")
    else:
        print(
            f"database check: {users} users, {2 * users} registers: one pending CABINET reading "
            "each, holding the last value that succeeded"
        )


if __name__ == "__main__":
    main()
