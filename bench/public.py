"""Benchmark of the public services (no sign-in): what a look-up costs.

Creates a fresh PostgreSQL database with generated data (bench/dataset.py), starts `server.py`
(LK_WORKERS processes, Redis broker, security codes ENABLED, the sandbox acquirer, background
tasks off so that only the requests are measured), and loads each operation in turn:

- `debt` of a known account and of an unknown number (their times must be alike: each is
  loaded alone, then both at once — half the connections each — and one at a time, alternating;
  the last two print their difference);
- `tariffCalculation` and `tariffCatalogue`;
- `createPublicPayment` (sandbox, card; the sandbox's registration call, served by the same
  app, is part of the cost);
- `askQuestion` without sign-in.

It prints, per operation, requests/s, p50/p99 latency, the server's CPU ms per request (its
processes' user + system time from /proc over the run) and SQL statements per request (counted in
a second, sequential pass on a server logging at DEBUG: one `tortoise.db_client` line per
statement, as tests/conftest.py's `sql_queries` counts them).

    .venv/bin/python bench/public.py [--duration 10] [--connections 16] [--users 2000]

How the limits and security codes are met without a back door:
- security codes: the bench writes solved challenges into its own database (the row
  `captcha.new_challenge` stores: a keyed hash of a known answer, with the bench's
  LK_SECRET_KEY), so `captcha.verify` does its real work (read, spend) — the same way
  bench/dataset.py signs access tokens with that key;
- per-address limits: each client connection is bound to its own loopback address
  (127.x.y.z) and moves to a fresh one (a new connection, its set-up in the latency) before
  the limit of the operation is reached; the server sees the peer's address, as in production
  without a proxy;
- per-account and per-contact limits: accounts are taken in turn, at most their hourly
  share; e-mails are unique;
- pay tokens: issued by `services.payments.site.issue` with the bench's key for the address
  the request comes from, as an answered `debt` would have.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import asyncpg  # noqa: E402

from adapters.broker import create_broker  # noqa: E402
from bench import dataset, harness, load  # noqa: E402
from bench.harness import SECRET, server_env, start, stop  # noqa: E402
from infra.runtime import Runtime  # noqa: E402
from services.identity import captcha  # noqa: E402
from services.payments import site  # noqa: E402
from settings import Settings  # noqa: E402

DEBT = """
query Debt($number: String!, $captchaId: ID!, $answer: String!) {
  debt(accountNumber: $number, captchaId: $captchaId, captchaAnswer: $answer) {
    debt { holderName address period totalToPay lines { service { code name } toPay } payToken payTokenExpiresAt }
    errors { field code message }
  }
}
"""
CALCULATION = """
query Calculation($input: TariffCalculationInput!) {
  tariffCalculation(input: $input) {
    calculation { totalCost totalVolume lines { zone zoneText rate validFrom previous current volume cost } }
    errors { field code message }
  }
}
"""
CATALOGUE = """
query Catalogue {
  tariffCatalogue {
    date
    services { service { code name unit } zones { zone zoneText rate validFrom } }
    errors { field code message }
  }
}
"""
PAY = """
mutation Pay($input: CreatePublicPaymentInput!) {
  createPublicPayment(input: $input) {
    payment { id status amount confirmationUrl }
    capability
    errors { field code message }
  }
}
"""
ASK = """
mutation Ask($input: AskQuestionInput!) {
  askQuestion(input: $input) {
    question { id number status createdAt }
    errors { field code message }
  }
}
"""
ANSWER = "BENCH"
# Requests one address makes before the bench moves to another: under each operation's hourly
# limit per address (debt 30, createPublicPayment 20, askQuestion 10; the calculator has none).
PER_SOURCE = {"debt": 30, "pay": 20, "ask": 10, "free": 1000}


class Sources:
    """Fresh loopback addresses, each used for one batch of requests: 127.1.0.1, 127.1.0.2, ...
    One run never uses an address twice (the limits' counters outlive a server's restart)."""

    def __init__(self) -> None:
        self.used = 0

    def next(self) -> str:
        i, self.used = self.used, self.used + 1
        return f"127.{1 + i // (254 * 256)}.{(i // 254) % 256}.{1 + i % 254}"


SOURCES = Sources()
# Numbers of requests in the run: unknown account numbers and e-mails are made of them.
SEQUENCE = itertools.count(1)


class Exhausted(Exception):
    """The bench prepared too few security codes or accounts for the run."""


class Turns:
    """Accounts in turn, each at most `per` times in the whole run (its hourly limit)."""

    def __init__(self, accounts: list[tuple[int, str]], per: int) -> None:
        self.accounts, self.per, self.i = accounts, per, 0

    def next(self) -> tuple[int, str]:
        if self.i >= len(self.accounts) * self.per:
            raise Exhausted("accounts")
        self.i += 1
        return self.accounts[(self.i - 1) % len(self.accounts)]


@dataclass
class Codes:
    """Solved security codes written into the database, spent one a request."""

    ids: list[str] = field(default_factory=list)

    def next(self) -> str:
        if not self.ids:
            raise Exhausted("security codes")
        return self.ids.pop()


@dataclass
class Operation:
    name: str
    kind: str  # key of PER_SOURCE
    make: Callable[[str, int], dict]  # (source address, sequence number) -> request body
    expected: str = "ok"  # the outcome every request should have ("ok" or an error code)
    codes_needed: bool = False


def outcome(data: dict) -> str:
    if data.get("errors"):
        return "graphql-error"
    [payload] = data["data"].values()
    return payload["errors"][0]["code"] if payload["errors"] else "ok"


class Client:
    """Keep-alive connection from one loopback address, replaced after `per_source` requests."""

    def __init__(self, url: str, per_source: int) -> None:
        self.url, self.per_source = url, per_source
        self.session: aiohttp.ClientSession | None = None
        self.used = 0
        self.source = ""

    async def post(self, make: Callable[[str, int], dict]) -> tuple[float, str]:
        if self.session is None or self.used >= self.per_source:
            await self.close()
            self.source = SOURCES.next()
            connector = aiohttp.TCPConnector(limit=1, local_addr=(self.source, 0))
            self.session = aiohttp.ClientSession(connector=connector)
            self.used = 0
        self.used += 1
        body = make(self.source, next(SEQUENCE))
        started = time.perf_counter()
        try:
            async with self.session.post(self.url, json=body) as response:
                if response.status != 200:
                    await response.read()
                    return time.perf_counter() - started, f"http-{response.status}"
                data = await response.json()
        except aiohttp.ClientError as error:
            return time.perf_counter() - started, type(error).__name__
        return time.perf_counter() - started, outcome(data)

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()
            self.session = None


@dataclass
class Run:
    requests: int
    seconds: float
    latencies: list[float]
    outcomes: Counter

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def pct(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000 if ordered else 0.0


async def drive(
    url: str, ops: list[Operation], *, connections: int, duration: float
) -> dict[str, Run]:
    """`connections` clients sending requests back to back for `duration` seconds, the clients
    taking the operations in turn (several: a mixed load, every operation meeting the same
    machine at the same moments)."""
    latencies: dict[str, list[float]] = {op.name: [] for op in ops}
    outcomes: dict[str, Counter] = {op.name: Counter() for op in ops}
    deadline = time.perf_counter() + duration

    async def worker(op: Operation) -> None:
        client = Client(url, PER_SOURCE[op.kind])
        try:
            while time.perf_counter() < deadline:
                try:
                    seconds, result = await client.post(op.make)
                except Exhausted as error:
                    outcomes[op.name][f"bench ran out of {error}"] += 1
                    return
                latencies[op.name].append(seconds)
                outcomes[op.name][result] += 1
        finally:
            await client.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(ops[i % len(ops)]) for i in range(connections)))
    seconds = time.perf_counter() - started
    return {
        name: Run(len(latencies[name]), seconds, latencies[name], outcomes[name])
        for name in latencies
    }


def dsn(database_url: str) -> str:
    return database_url.replace("postgres://", "postgresql://", 1)


async def write_codes(rt: Runtime, database_url: str, count: int) -> list[str]:
    """`count` solved challenges (answer ANSWER), the rows captcha.new_challenge stores."""
    answer_hash = captcha._answer_hash(rt, ANSWER)
    now = datetime.now(UTC)
    ids = [uuid.uuid4() for _ in range(count)]
    conn = await asyncpg.connect(dsn(database_url))
    try:
        await conn.copy_records_to_table(
            "captcha_challenge",
            columns=["id", "answer_hash", "created_at", "expires_at"],
            records=[(i, answer_hash, now, now + captcha.TTL) for i in ids],
        )
    finally:
        await conn.close()
    return [str(i) for i in ids]


async def read_accounts(database_url: str) -> list[tuple[int, str]]:
    conn = await asyncpg.connect(dsn(database_url))
    try:
        return [(r["id"], r["number"]) for r in await conn.fetch("SELECT id, number FROM account ORDER BY id")]  # fmt: skip
    finally:
        await conn.close()


def runtime(database_url: str) -> Runtime:
    settings = Settings(
        _env_file=None, database_url=database_url, secret_key=SECRET, demo_data=False
    )
    return Runtime.from_settings(settings, create_broker(""))


def operations(rt: Runtime, codes: Codes, debt_turns: Turns, pay_turns: Turns) -> list[Operation]:
    def debt_known(source: str, seq: int) -> dict:
        _, number = debt_turns.next()
        variables = {"number": number, "captchaId": codes.next(), "answer": ANSWER}
        return {"query": DEBT, "variables": variables}

    def debt_unknown(source: str, seq: int) -> dict:
        # Eleven digits like a real number, never generated by the dataset (66...).
        variables = {"number": f"7{seq:010d}", "captchaId": codes.next(), "answer": ANSWER}
        return {"query": DEBT, "variables": variables}

    calculation = {
        "query": CALCULATION,
        "variables": {"input": {"serviceCode": "ELECTRICITY", "zones": [
            {"zone": "DAY", "previous": "4941", "current": "5018.5"},
            {"zone": "NIGHT", "volume": "120"},
        ]}},
    }  # fmt: skip
    catalogue = {"query": CATALOGUE}

    def pay(source: str, seq: int) -> dict:
        account_id, _ = pay_turns.next()
        token = site.issue(rt, account_id=account_id, source=source).value
        return {"query": PAY, "variables": {"input": {
            "payToken": token, "method": "CARD", "totalConfirmed": True,
            "lines": [{"serviceCode": "ELECTRICITY", "amount": "169.95"},
                      {"serviceCode": "ELECTRICITY_COMMON", "amount": "102.14"}],
            "receiptEmail": f"payer{seq}@example.ru", "idempotencyKey": str(uuid.uuid4()),
        }}}  # fmt: skip

    def ask(source: str, seq: int) -> dict:
        return {"query": ASK, "variables": {"input": {
            "topic": "BILLS", "text": f"Когда придёт квитанция за этот месяц? Вопрос {seq}.",
            "accountNumber": "66200000000", "email": f"asker{seq}-{source}@example.ru",
            "captchaId": codes.next(), "captchaAnswer": ANSWER, "consentToPersonalData": True,
        }}}  # fmt: skip

    return [
        Operation("debt, known account", "debt", debt_known, codes_needed=True),
        Operation("debt, unknown number", "debt", debt_unknown, "NOT_FOUND", codes_needed=True),
        Operation("tariffCalculation", "free", lambda s, n: calculation),
        Operation("tariffCatalogue", "free", lambda s, n: catalogue),
        Operation("createPublicPayment", "pay", pay),
        Operation("askQuestion", "ask", ask, codes_needed=True),
    ]


async def interleaved(
    url: str, known: Operation, unknown: Operation, pairs: int
) -> tuple[list[float], list[float]]:
    """One request at a time, known and unknown alternating (order swapped every pair), so that
    both meet the same machine: the fairest comparison on a shared one."""
    a, b = Client(url, PER_SOURCE["debt"]), Client(url, PER_SOURCE["debt"])
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    try:
        for i in range(pairs):
            order = [("known", a, known), ("unknown", b, unknown)]
            for name, client, op in order if i % 2 else order[::-1]:
                seconds, result = await client.post(op.make)
                assert result == op.expected, result
                times[name].append(seconds * 1000)
    finally:
        await a.close()
        await b.close()
    return times["known"], times["unknown"]


def sql_count(log: Path) -> int:
    count = 0
    with log.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            if '"logger": "tortoise.db_client"' in line:
                count += 1
    return count


async def count_statements(url: str, op: Operation, log: Path, n: int) -> float:
    client = Client(url, PER_SOURCE[op.kind])
    try:
        await client.post(op.make)  # warm (first-use caches), not counted
        await asyncio.sleep(0.3)
        before = sql_count(log)
        for _ in range(n):
            _, result = await client.post(op.make)
            assert result == op.expected, (op.name, result)
        await asyncio.sleep(0.3)
        return (sql_count(log) - before) / n
    finally:
        await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="The public services: cost of each operation.")
    parser.add_argument("--duration", type=float, default=10, help="seconds of load per operation")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--users", type=int, default=2000, help="generated users (1-3 accounts each)")  # fmt: skip
    parser.add_argument("--workers", type=int, default=int(os.environ.get("LK_WORKERS") or os.cpu_count() or 1))  # fmt: skip
    parser.add_argument("--pairs", type=int, default=200, help="known/unknown pairs, sequential")
    parser.add_argument(
        "--count", type=int, default=20, help="requests per operation counted for SQL"
    )
    parser.add_argument("--database-server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database-name", default="lk_bench_public")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--port", type=int, default=19710)
    parser.add_argument("--only", nargs="*", help="operations whose name starts with these")
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()

    started = time.monotonic()
    data = asyncio.run(
        dataset.build(args.database_server, args.database_name, users=args.users, secret_key=SECRET)
    )
    print(f"data: {data.users} users, {data.accounts} accounts, six months of history "
          f"({time.monotonic() - started:.1f} s)", flush=True)  # fmt: skip
    logs = Path(os.environ.get("TMPDIR", "/tmp")) / "lk-bench-public"
    logs.mkdir(exist_ok=True)
    url = f"http://127.0.0.1:{args.port}/graphql"
    base = dict(
        redis_url=args.redis_url, prefix="lkbenchpublic", port=args.port,
        pool=max(4, args.connections // args.workers),
        LK_CAPTCHA="enabled", LK_PAYMENT_PROVIDER="sandbox", LK_BACKGROUND_TASKS="false",
    )  # fmt: skip
    rt = runtime(data.database_url)
    codes = Codes()
    accounts = asyncio.run(read_accounts(data.database_url))
    half = len(accounts) // 2
    # Debt look-ups: 9 per account of the first half (limit 10 an hour); payments: 4 per
    # account of the second half (limit 5 an hour).
    debt_turns, pay_turns = Turns(accounts[:half], 9), Turns(accounts[half:], 4)
    ops = operations(rt, codes, debt_turns, pay_turns)
    if args.only:
        ops = [o for o in ops if any(o.name.startswith(p) for p in args.only)]
    results: list[tuple[Operation, Run, float, float]] = []
    env = server_env(data.database_url, workers=args.workers, **base)
    server = start([sys.executable, "server.py"], env, logs / "server.log")
    try:
        asyncio.run(
            harness.wait_ready(url, server, "", args.workers, query="{ tariffCatalogue { date } }")
        )
        for op in ops:
            if op.codes_needed:
                # Enough for the fastest rate seen here, several times over; 10 minutes to live.
                codes.ids = asyncio.run(
                    write_codes(rt, data.database_url, int(600 * (args.duration + 2)))
                )
            asyncio.run(drive(url, [op], connections=args.connections, duration=2))  # warm-up
            pids = load.process_tree(server.pid)
            load_average = os.getloadavg()[0]
            before = load.cpu_seconds(pids)
            [run] = asyncio.run(drive(url, [op], connections=args.connections, duration=args.duration)).values()  # fmt: skip
            after = load.cpu_seconds(pids)
            cpu = sum(after[p] - before.get(p, 0) for p in after)
            results.append(
                (op, run, cpu / run.requests * 1000 if run.requests else 0, load_average)
            )
            print(f"{op.name}: {run.rps:.0f} req/s, outcomes {dict(run.outcomes)}", flush=True)
        pairs, mixed = None, None
        named = {o.name: o for o in ops}
        if "debt, known account" in named and "debt, unknown number" in named:
            debts = [named["debt, known account"], named["debt, unknown number"]]
            codes.ids = asyncio.run(write_codes(rt, data.database_url, int(600 * args.duration)))
            mixed = asyncio.run(drive(url, debts, connections=args.connections, duration=args.duration))  # fmt: skip
            codes.ids = asyncio.run(write_codes(rt, data.database_url, 2 * args.pairs + 10))
            pairs = asyncio.run(interleaved(url, named["debt, known account"], named["debt, unknown number"], args.pairs))  # fmt: skip
    finally:
        stop(server)

    # Second pass: one worker logging every SQL statement, requests one at a time.
    counted: dict[str, float] = {}
    env = server_env(data.database_url, workers=1, LK_LOG_LEVEL="DEBUG", **base)
    log = logs / "server-debug.log"
    server = start([sys.executable, "server.py"], env, log)
    try:
        asyncio.run(harness.wait_ready(url, server, "", 1, query="{ tariffCatalogue { date } }"))
        codes.ids = asyncio.run(write_codes(rt, data.database_url, 2 * args.count * len(ops) + 20))
        for op in ops:
            counted[op.name] = asyncio.run(count_statements(url, op, log, args.count))
    finally:
        stop(server)
        if not args.keep_database:
            asyncio.run(dataset.drop_database(args.database_server, args.database_name))
    report(results, counted, mixed, pairs, args)


def report(results, counted, mixed, pairs, args) -> None:
    print(f"\n{args.connections} connections, {args.duration:g} s each, {args.workers} worker(s), "
          f"{os.cpu_count()} cores, load by this process (Python, same machine)")  # fmt: skip
    print(f"{'':24} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'CPU ms/req':>10} {'SQL/req':>7} {'load avg':>8}  unexpected")  # fmt: skip
    for op, run, cost, load_average in results:
        unexpected = {k: v for k, v in run.outcomes.items() if k != op.expected}
        print(f"{op.name:24} {run.rps:7.0f} {run.pct(0.5):7.1f} {run.pct(0.99):7.1f} {cost:10.2f} "
              f"{counted.get(op.name, float('nan')):7.1f} {load_average:8.2f}  {unexpected or '-'}")  # fmt: skip
    if mixed:
        known, unknown = mixed["debt, known account"], mixed["debt, unknown number"]
        print(f"debt, both at once ({args.connections} connections, half each, {args.duration:g} s): "
              f"known {known.rps:.0f} req/s p50 {known.pct(0.5):.1f} p99 {known.pct(0.99):.1f} ms; "
              f"unknown {unknown.rps:.0f} req/s p50 {unknown.pct(0.5):.1f} p99 {unknown.pct(0.99):.1f} ms; "
              f"unknown - known: p50 {unknown.pct(0.5) - known.pct(0.5):+.1f} ms, "
              f"p99 {unknown.pct(0.99) - known.pct(0.99):+.1f} ms; outcomes "
              f"{dict(known.outcomes)} / {dict(unknown.outcomes)}")  # fmt: skip
    if pairs:
        k, u = pairs
        print(f"debt one at a time, {len(k)} interleaved pairs: known median {statistics.median(k):.2f} ms, "
              f"unknown median {statistics.median(u):.2f} ms, difference {statistics.median(u) - statistics.median(k):+.2f} ms; "
              f"means {statistics.fmean(k):.2f} / {statistics.fmean(u):.2f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
