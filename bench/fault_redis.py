"""Fault: Redis stopped and restarted while subscribers wait.

Starts a private Redis (redis-server on --redis-port, no persistence) and two server processes
(two ports) sharing it and a fresh PostgreSQL database. Opens paymentStatus subscriptions on
PENDING payments on both servers, kills Redis (SIGKILL), then checks that queries and mutations
keep answering (login, account, createPayment) and what /healthz says, and completes the
payments by the sandbox (card page and SBP: signed callbacks) while Redis is down: the callbacks
must be applied to the database. Restarts Redis and checks that every subscriber gets the final
status once the broker has reconnected (it resyncs its subscribers), measuring how long it took.

    .venv/bin/python bench/fault_redis.py [--payments 6] [--outage 5]

Prints PASS/FAIL per check and a summary; exit status 1 on any FAIL.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from bench.faults_common import (
    ACCOUNT_QUERY,
    Api,
    Check,
    drop_database,
    fresh_database,
    log,
    server_env,
    start_process,
    start_server,
    subscribe,
    wait_http,
)
from bench.harness import stop as stop_process


def start_redis(port: int, logfile: Path):
    command = ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"]
    command += ["--daemonize", "no", "--bind", "127.0.0.1"]
    return start_process(command, None, logfile)


async def wait_redis(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"PING\r\n")
            await writer.drain()
            if (await reader.readline()).startswith(b"+PONG"):
                writer.close()
                return
        except OSError:
            pass
        await asyncio.sleep(0.1)
    raise SystemExit(f"redis on {port} not answering")


async def run(args: argparse.Namespace) -> int:
    check = Check()
    workdir = Path(tempfile.mkdtemp(prefix="fault-redis-"))
    log(f"logs in {workdir}")
    redis = start_redis(args.redis_port, workdir / "redis.log")
    await wait_redis(args.redis_port)
    db_name, db_url = await fresh_database(args.database_server)
    redis_url = f"redis://127.0.0.1:{args.redis_port}/0"
    ports = (args.port, args.port + 1)
    servers = []
    try:
        common = {"LK_REDIS_URL": redis_url, "LK_REDIS_PREFIX": "faults"}
        servers.append(
            start_server(ports[0], server_env(ports[0], db_url, **common), workdir / "a.log")
        )
        await wait_http(f"http://127.0.0.1:{ports[0]}/healthz", servers[0])
        # The second process finds the schema and demo data made by the first.
        second = server_env(
            ports[1], db_url, LK_SCHEMA_MODE="ready", LK_DEMO_DATA="false", **common
        )
        servers.append(start_server(ports[1], second, workdir / "b.log"))
        await wait_http(f"http://127.0.0.1:{ports[1]}/healthz", servers[1])
        log(f"servers on {ports}, redis on {args.redis_port}, database {db_name}")

        async with aiohttp.ClientSession() as http:
            apis = [Api(f"http://127.0.0.1:{p}", http, timeout=args.timeout) for p in ports]
            for api in apis:
                await api.login()
            # Payments created alternately on both servers; each is watched on BOTH servers.
            payments = []
            for i in range(args.payments):
                method = "CARD" if i % 2 == 0 else "SBP"
                payment = await apis[i % 2].create_payment(method, f"{100 + i}.00")
                payments.append(payment)
            subscribers = []
            for payment in payments:
                for api in apis:
                    subscribers.append(await subscribe(api, payment["id"]))
            await asyncio.sleep(1)
            check(
                "every subscriber got the current state (PENDING) first",
                all(s.last == "PENDING" for s in subscribers),
                f"{sum(s.last == 'PENDING' for s in subscribers)}/{len(subscribers)}",
            )

            log("killing redis (SIGKILL)")
            stop_process(redis, signal.SIGKILL)
            killed_at = time.monotonic()
            await asyncio.sleep(1)

            # Queries and mutations while Redis is down.
            latencies: list[float] = []
            failures: list[str] = []
            for api in apis:
                for step in ("login", "account", "createPayment"):
                    started = time.monotonic()
                    try:
                        if step == "login":
                            await api.login()
                        elif step == "account":
                            status, body = await api.gql(ACCOUNT_QUERY)
                            assert status == 200 and body["data"]["account"], body
                        else:
                            await api.create_payment("SBP", "10.00")
                    except Exception as error:
                        failures.append(f"{api.base} {step}: {error!r}"[:300])
                    latencies.append(time.monotonic() - started)
            check(
                "login, account query and createPayment answer on both servers without Redis",
                not failures,
                f"slowest {max(latencies) * 1000:.0f} ms" + (f"; {failures}" if failures else ""),
            )
            for api in apis:
                status, body = await api.health()
                check(
                    f"/healthz on {api.base} reports Redis down",
                    status == 503
                    and body["checks"].get("redis", "").startswith("fail")
                    and body["checks"].get("database") == "ok",
                    f"HTTP {status} {body}",
                )

            # Pay every watched payment while Redis is down: the sandbox sends signed callbacks.
            log("paying the watched payments while redis is down")
            expected: dict[str, str] = {}
            for i, payment in enumerate(payments):
                api = apis[i % 2]
                decline = i % 3 == 2
                if payment["confirmationUrl"]:
                    await api.pay_card(payment["confirmationUrl"], decline=decline)
                else:
                    await api.pay_sbp(payment["sbpPayload"], reject=decline)
                expected[payment["id"]] = "FAILED" if decline else "SUCCEEDED"
            deadline = time.monotonic() + 20
            stored: dict[str, str | None] = {}
            while time.monotonic() < deadline:
                stored = {pid: await apis[0].payment_status(pid) for pid in expected}
                if stored == expected:
                    break
                await asyncio.sleep(0.3)
            check(
                "callbacks applied to the database while Redis is down",
                stored == expected,
                f"{sum(stored.get(k) == v for k, v in expected.items())}/{len(expected)} in their final status",
            )
            early = [s for s in subscribers if s.last in ("SUCCEEDED", "FAILED")]
            log(f"subscribers that saw the final status while redis was down: {len(early)}")
            await asyncio.sleep(max(0, args.outage - (time.monotonic() - killed_at)))

            log("restarting redis")
            redis = start_redis(args.redis_port, workdir / "redis.log")
            await wait_redis(args.redis_port)
            restarted_at = time.monotonic()
            deadline = restarted_at + args.resync_timeout
            while time.monotonic() < deadline:
                if all(s.last == expected[s.payment_id] for s in subscribers):
                    break
                await asyncio.sleep(0.05)
            got = [s for s in subscribers if s.last == expected[s.payment_id]]
            delays = [
                next(t for t, st in s.seen if st == expected[s.payment_id]) - restarted_at
                for s in got
            ]
            check(
                "every subscriber got the final status once Redis was back",
                len(got) == len(subscribers),
                f"{len(got)}/{len(subscribers)}; after the restart: max {max(delays, default=0):.2f} s"
                + "".join(
                    f"; {s.payment_id} saw {[st for _, st in s.seen]} closed={s.closed}"
                    for s in subscribers
                    if s not in got
                ),
            )
            wrong = [
                s
                for s in subscribers
                if any(st not in ("PENDING", expected[s.payment_id]) for _, st in s.seen)
            ]
            check("no subscriber was ever shown a wrong status", not wrong, f"{len(wrong)} wrong")
            check(
                "subscriptions stayed open through the outage",
                all(s.closed is None for s in subscribers),
                "; ".join(str(s.closed) for s in subscribers if s.closed),
            )
            healthy = []
            for api in apis:
                for _ in range(50):
                    status, body = await api.health()
                    if status == 200:
                        break
                    await asyncio.sleep(0.2)
                healthy.append(status == 200)
            check("/healthz is ok again on both servers", all(healthy), str(healthy))
            print(
                f"\nfigures: {len(subscribers)} subscribers ({args.payments} payments x 2 servers); "
                f"Redis down {restarted_at - killed_at:.1f} s; final status delivered "
                f"{min(delays, default=0):.2f}-{max(delays, default=0):.2f} s after the restart "
                f"({len(early)} already during the outage); slowest request without Redis "
                f"{max(latencies) * 1000:.0f} ms"
            )
            for s in subscribers:
                if s.task:
                    s.task.cancel()
                await s.ws.close()
    finally:
        for server in servers:
            stop_process(server)
        stop_process(redis)
        await drop_database(args.database_server, db_name)
    return check.summary("fault_redis")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--payments", type=int, default=6)
    parser.add_argument("--outage", type=float, default=5, help="seconds Redis stays down")
    parser.add_argument("--port", type=int, default=19101)
    parser.add_argument("--redis-port", type=int, default=19150)
    parser.add_argument("--database-server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--timeout", type=float, default=15, help="per-request timeout, s")
    parser.add_argument("--resync-timeout", type=float, default=30)
    sys.exit(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
