"""Benchmark of the dashboard query: the real server against a hand-written aiohttp handler.

Creates a fresh PostgreSQL database with generated data, starts `server.py` (LK_WORKERS
processes, Redis broker) and `bench/baseline_server.py` (as many processes, plain SQL over
asyncpg), checks that both answer the same JSON, then loads each in turn at the same
concurrency and prints requests/s, their ratio, p50/p99 latency and the servers' CPU use.

    .venv/bin/python bench/dashboard.py [--duration 15] [--connections 32] [--users 3000]

Needs PostgreSQL and Redis (--database-server, --redis-url) and, preferably, `wrk`
(apt-get install wrk); without it a Python load generator is used, which itself takes CPU
from the servers on a small machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


import aiohttp  # noqa: E402

from bench import dataset, harness, load  # noqa: E402
from bench.harness import SECRET, server_env, start, stop  # noqa: E402

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
        registers {
          zone description
          periodStart { value source status takenAt }
          current { value source status takenAt }
        }
      }
      statement {
        period totalToPay
        lines {
          service { code name }
          tariff balance paid volume charged recalculation toPay
        }
      }
    }
  }
}
"""

# The histories, a page of 20 of the user's first account (`--query payments|readings`).
PAYMENTS = """
query Payments($number: String!) {
  account(number: $number) {
    number
    payments(first: 20) {
      edges { cursor node { id method status amount channel createdAt paidAt } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}
"""
READINGS = """
query Readings($number: String!) {
  account(number: $number) {
    number
    readings(first: 20) {
      edges {
        cursor
        node {
          id meterSerialNumber zone value consumption source status rejectionReason takenAt
          period
        }
      }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}
"""
QUERIES = {"dashboard": DASHBOARD, "payments": PAYMENTS, "readings": READINGS}


def bodies(query: str, numbers: list[str]) -> list[bytes]:
    """The request of each user (in the order of the tokens)."""
    if query == "dashboard":
        return [json.dumps({"query": DASHBOARD}).encode()] * len(numbers)
    return [
        json.dumps({"query": QUERIES[query], "variables": {"number": n}}).encode() for n in numbers
    ]


async def post(url: str, token: str, body: bytes) -> dict:
    async with aiohttp.ClientSession() as session:
        async with session.post(
            url,
            data=body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        ) as response:
            assert response.status == 200, await response.text()
            return await response.json()


async def compiled_outcomes(graphql_url: str) -> str:
    """How often the compiled read path answered, fell back or was not offered (LK_GRAPHQL_COMPILED
    =false: nothing), from /metrics of whichever worker answers."""
    async with aiohttp.ClientSession() as session:
        async with session.get(graphql_url.removesuffix("/graphql") + "/metrics") as response:
            text = await response.text()
    found = re.findall(
        r'^lk_graphql_(compiled|sql)_operations_total\{outcome="(\w+)"\} (\S+)$', text, re.M
    )
    return ", ".join(f"{path} {k} {float(v):.0f}" for path, k, v in found) or "none"


def measure(
    name: str,
    url: str,
    process: subprocess.Popen,
    tokens: list[str],
    body: list[bytes],
    args,
    database_url: str,
) -> dict:
    load.run(url, body, tokens, connections=args.connections, duration=2, tool=args.load)  # warm-up
    pids = load.process_tree(process.pid)
    # PostgreSQL's backends of the bench database (both servers' pools; the idle one's cost
    # nothing): the work moved into the database shows here.
    backends = load.pg_backends(database_url, args.database_name)
    load_average = os.getloadavg()[0]
    before, wall = load.cpu_seconds(pids + backends), time.monotonic()
    result = load.run(
        url, body, tokens, connections=args.connections, duration=args.duration, tool=args.load
    )
    backends = sorted(set(backends) | set(load.pg_backends(database_url, args.database_name)))
    after, wall = load.cpu_seconds(pids + backends), time.monotonic() - wall
    per_process = sorted(
        ((after[p] - before.get(p, 0)) / wall for p in pids if p in after and after[p] - before.get(p, 0) > 0.01),
        reverse=True,
    )  # fmt: skip
    postgres = sum(after[p] - before.get(p, 0) for p in backends if p in after) / wall
    return {
        "name": name,
        "rps": result.rps,
        "p50": result.p50_ms,
        "p99": result.p99_ms,
        "errors": result.errors,
        "requests": result.requests,
        "cpu": sum(per_process),
        "per_process": per_process,
        "postgres": postgres,
        "load_average": load_average,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Dashboard query: GraphQL against a baseline.")
    parser.add_argument("--duration", type=float, default=15, help="seconds of load per server")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--users", type=int, default=3000, help="generated users (1-3 accounts each)"
    )
    parser.add_argument(
        "--history-months",
        type=int,
        default=6,
        help="months of statements, readings and payments per account",
    )
    parser.add_argument("--workers", type=int, default=int(os.environ.get("LK_WORKERS") or os.cpu_count() or 1))  # fmt: skip
    parser.add_argument("--database-server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database-name", default="lk_bench_dashboard")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--port", type=int, default=18710, help="the server; the baseline +1")
    parser.add_argument("--load", choices=["wrk", "python"], default=load.default_tool())
    parser.add_argument(
        "--query",
        choices=list(QUERIES),
        default="dashboard",
        help="the dashboard, or a page of 20 of the payments or readings history",
    )
    parser.add_argument("--only", choices=["both", "graphql", "baseline"], default="both")
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()

    started = time.monotonic()
    data = asyncio.run(
        dataset.build(
            args.database_server,
            args.database_name,
            users=args.users,
            secret_key=SECRET,
            history_months=args.history_months,
            payments=True,
        )
    )
    print(
        f"data: {data.users} users, {data.accounts} accounts, {args.history_months} months of "
        f"history ({time.monotonic() - started:.1f} s)"
    )
    logs = Path(os.environ.get("TMPDIR", "/tmp")) / "lk-bench-dashboard"
    logs.mkdir(exist_ok=True)
    # A pool per worker about as large as its share of the connections.
    pool = max(4, args.connections // args.workers)
    env = server_env(
        data.database_url,
        redis_url=args.redis_url,
        prefix="lkbench",
        port=args.port,
        workers=args.workers,
        pool=pool,
    )
    graphql_url = f"http://127.0.0.1:{args.port}/graphql"
    path = "graphql" if args.query == "dashboard" else args.query
    baseline_url = f"http://127.0.0.1:{args.port + 1}/{path}"
    body = bodies(args.query, data.numbers)
    server = start([sys.executable, "server.py"], env, logs / "server.log")
    baseline = start(
        [sys.executable, "bench/baseline_server.py", "--port", str(args.port + 1),
         "--database-url", data.database_url, "--workers", str(args.workers),
         "--pool-size", str(pool)],
        env, logs / "baseline.log",
    )  # fmt: skip
    try:
        asyncio.run(
            harness.wait_ready(graphql_url, server, data.tokens[0], args.workers, query=DASHBOARD)
        )
        asyncio.run(
            harness.wait_ready(
                f"http://127.0.0.1:{args.port + 1}/graphql",
                baseline,
                data.tokens[0],
                args.workers,
                query=DASHBOARD,
            )
        )
        # The comparison is honest only if both answer the same: users with 1, 2 and 3 accounts.
        for token, request in zip(data.tokens[:3], body, strict=False):
            ours = asyncio.run(post(graphql_url, token, request))
            theirs = asyncio.run(post(baseline_url, token, request))
            assert "errors" not in ours, ours
            assert ours == theirs, f"responses differ:\n{ours}\n{theirs}"
        print(f"{args.query}: same JSON from both for the first three users (1, 2 and 3 accounts) "
              f"({len(json.dumps(ours))} bytes for 3 accounts)")  # fmt: skip
        results = []
        if args.only in ("both", "baseline"):
            results.append(
                measure(
                    "baseline", baseline_url, baseline, data.tokens, body, args, data.database_url
                )
            )
        if args.only in ("both", "graphql"):
            results.append(
                measure("graphql", graphql_url, server, data.tokens, body, args, data.database_url)
            )
            print(
                f"compiled read path (one worker's /metrics): {asyncio.run(compiled_outcomes(graphql_url))}"
            )
    finally:
        stop(server)
        stop(baseline)
        if not args.keep_database:
            asyncio.run(dataset.drop_database(args.database_server, args.database_name))
    report(results, args)


def report(results: list[dict], args) -> None:
    print(
        f"\n{args.connections} connections, {args.duration:g} s each, {args.workers} worker(s) "
        f"each, load by {args.load}, {os.cpu_count()} cores"
    )
    print(f"{'':10} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'CPU cores':>10} {'CPU ms/req':>10} {'PG ms/req':>10} {'load avg':>9}  cores per process")  # fmt: skip
    for r in results:
        per = " ".join(f"{c:.2f}" for c in r["per_process"])
        r["cost"] = r["cpu"] / r["rps"] * 1000 if r["rps"] else float("nan")
        r["pg_cost"] = r["postgres"] / r["rps"] * 1000 if r["rps"] else float("nan")
        print(f"{r['name']:10} {r['rps']:8.0f} {r['p50']:8.2f} {r['p99']:8.2f} {r['errors']:7d} {r['cpu']:10.2f} {r['cost']:10.2f} {r['pg_cost']:10.2f} {r['load_average']:9.2f}  {per}")  # fmt: skip
    print(
        "(CPU ms/req: the server processes; PG ms/req: PostgreSQL's backends of the bench database)"
    )
    if len(results) == 2:
        ratio = results[1]["rps"] / results[0]["rps"]
        print(f"ratio graphql/baseline: {ratio:.2f} (target >= 0.5); "
              f"graphql p99 {results[1]['p99']:.1f} ms (target <= 25)")  # fmt: skip
        # Requests/s depend on the CPU the servers get; on a shared machine the CPU each
        # request costs is the steadier comparison.
        print(f"CPU per request, baseline/graphql: {results[0]['cost'] / results[1]['cost']:.2f}")
        both = [r["cost"] + r["pg_cost"] for r in results]
        print(f"CPU per request with PostgreSQL's, baseline/graphql: {both[0] / both[1]:.2f} "
              f"({both[0]:.2f} / {both[1]:.2f} ms)")  # fmt: skip


if __name__ == "__main__":
    main()
