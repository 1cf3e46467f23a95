"""CPU per dashboard request in one process, without a load generator or other processes in the
figure: the app (server.create_app) on an existing bench database (`bench/dashboard.py
--keep-database`), N requests one after another through aiohttp's client, the process's CPU
time (client included, the same for every variant) divided by N. Steadier than the CPU of
loaded servers on a shared machine, for before/after comparisons of the dashboard path.

    .venv/bin/python bench/dashboard_cpu.py --database-url postgres://postgres@127.0.0.1:5432/lk_bench_dashboard
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
from aiohttp.test_utils import TestClient, TestServer  # noqa: E402
from prometheus_client import REGISTRY  # noqa: E402

from bench.dashboard import QUERIES  # noqa: E402
from bench.harness import SECRET  # noqa: E402
from infra.crypto import Signer  # noqa: E402
from server import create_app  # noqa: E402
from settings import Settings  # noqa: E402


async def users(database_url: str, count: int) -> list[tuple[str, str]]:
    """(access token, first account number) of the first `count` users."""
    conn = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
    try:
        rows = await conn.fetch(
            "SELECT s.id, s.user_id, (SELECT a.number FROM user_account l JOIN account a "
            "ON a.id = l.account_id WHERE l.user_id = s.user_id ORDER BY l.is_holder DESC, "
            "l.created_at, l.id LIMIT 1) AS number FROM session s ORDER BY s.user_id LIMIT $1",
            count,
        )
    finally:
        await conn.close()
    signer = Signer(SECRET)
    return [
        (signer.access_token(user_id=r["user_id"], session_id=str(r["id"]), ttl_seconds=3600)[0],
         r["number"])
        for r in rows
    ]  # fmt: skip


async def run(args) -> None:
    settings = Settings(
        _env_file=None,
        env="development",
        database_url=args.database_url,
        secret_key=SECRET,
        demo_data=False,
        background_tasks=False,
        access_log=False,
    )
    who = await users(args.database_url, 300)
    bodies = [
        json.dumps({"query": QUERIES[args.query], "variables": {"number": number}})
        for _, number in who
    ]
    async with TestClient(TestServer(create_app(settings))) as client:

        async def one(i: int) -> None:
            token = who[i % len(who)][0]
            response = await client.post(
                "/graphql",
                data=bodies[i % len(who)],
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            body = await response.json()
            assert response.status == 200 and "errors" not in body, body

        for i in range(args.warmup):
            await one(i)
        profiler = cProfile.Profile() if args.profile else None
        if profiler:
            profiler.enable()
        cpu, wall = time.process_time(), time.perf_counter()
        for i in range(args.requests):
            await one(i)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile)
    print(
        f"{args.query}: {args.requests} requests, CPU {cpu / args.requests * 1000:.2f} ms/request "
        f"(wall {wall / args.requests * 1000:.2f} ms)"
    )
    outcomes = {
        outcome: REGISTRY.get_sample_value(
            "lk_graphql_compiled_operations_total", {"outcome": outcome}
        )
        for outcome in ("compiled", "sql", "fallback", "unsupported")
    }
    print(f"compiled read path (LK_GRAPHQL_COMPILED={settings.graphql_compiled}): {outcomes}")
    sql = {
        outcome: REGISTRY.get_sample_value("lk_graphql_sql_operations_total", {"outcome": outcome})
        for outcome in ("answered", "uncovered", "fallback")
    }
    print(f"SQL read path (LK_GRAPHQL_SQL={settings.graphql_sql}): {sql}")


def main() -> None:
    parser = argparse.ArgumentParser(description="CPU per request, in one process.")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--query", choices=list(QUERIES), default="dashboard")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--profile", help="write cProfile statistics of the measured requests here")
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover
        pass
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
