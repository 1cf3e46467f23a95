"""Benchmark of the push path: many websocket subscribers, payments completed by signed callbacks.

Creates a fresh PostgreSQL database with generated data (`bench/dataset.py`) plus one PENDING
sandbox payment per subscriber (inserted by COPY, with its line), starts two `server.py`
processes (LK_WORKERS=1 each) on two ports sharing Redis, and opens `--subscribers` websockets
spread evenly over both (graphql-transport-ws, the user's access token in connection_init,
`paymentStatus(id)` of the subscriber's own payment). Then it sends signed sandbox callbacks
(`POST /payments/callback/sandbox`, status CONFIRMED) to the FIRST process only, at `--rate` per
second for `--duration` seconds, and measures for every completed payment the time from the
callback's send to its subscriber's `SUCCEEDED` message. Prints p50/p99/max latency, messages
lost (completed payments whose subscriber never got SUCCEEDED), and the servers' memory per open
subscription (VmRSS of both server processes before and after the websockets are open).

    .venv/bin/python bench/push.py [--subscribers 5000] [--rate 100] [--duration 20]

The subscribers live in `--clients` client processes (default 2; each needs a file descriptor
per websocket): on a small machine they compete with the servers for CPU, which is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import asyncpg  # noqa: E402

from adapters.acquirers.sandbox import SIGNATURE_HEADER, signature_header  # noqa: E402
from bench import dataset, load  # noqa: E402
from bench.harness import SECRET, server_env, start, stop, stop_profiler, wait_ready  # noqa: E402

SANDBOX_SECRET = SECRET + ":sandbox"
SUBSCRIPTION = "subscription S($id: ID!) { paymentStatus(id: $id) { id status } }"
AMOUNT = Decimal("1234.56")
KOPECKS = 123456
# Each subscriber's user, from the first account of that user; payments go round the users.
LINKS = """
SELECT DISTINCT ON (ua.user_id) ua.user_id, ua.account_id
FROM user_account ua ORDER BY ua.user_id, ua.id
"""


@dataclass(frozen=True, slots=True)
class Subscriber:
    port: int
    token: str
    payment_id: str
    provider_payment_id: str


async def insert_payments(database_url: str, tokens: list[str], count: int) -> list[Subscriber]:
    """One PENDING sandbox payment (and its line) per subscriber, as createPayment leaves it."""
    conn = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
    try:
        links = await conn.fetch(LINKS)
        # After the lines already there (bench/dataset.py's history, payments=True).
        base = await conn.fetchval("SELECT coalesce(max(id), 0) FROM payment_line")
        now = datetime.now(UTC)
        payments, lines, out = [], [], []
        for i in range(count):
            link = links[i % len(links)]
            pid = uuid.uuid4()
            ref = f"BENCH{i:027d}"
            payments.append(
                (pid, link["account_id"], link["user_id"], "CARD", "PENDING", AMOUNT, "cabinet",
                 "sandbox", ref, f"bench-{i}", now, now, now + timedelta(hours=24))
            )  # fmt: skip
            lines.append((base + i + 1, pid, 1, 2, AMOUNT, AMOUNT))
            out.append(Subscriber(0, tokens[link["user_id"] - 1], str(pid), ref))
        async with conn.transaction():
            await conn.copy_records_to_table(
                "payment",
                records=payments,
                columns=["id", "account_id", "user_id", "method", "status", "amount", "channel",
                         "provider", "provider_payment_id", "idempotency_key", "created_at",
                         "updated_at", "expires_at"],
            )  # fmt: skip
            await conn.copy_records_to_table(
                "payment_line",
                records=lines,
                columns=["id", "payment_id", "service_id", "recipient_id", "charged", "amount"],
            )
            await conn.execute(
                "SELECT setval(pg_get_serial_sequence('payment_line', 'id'), "
                "(SELECT max(id) FROM payment_line))"
            )
        await conn.execute("ANALYZE payment; ANALYZE payment_line")
    finally:
        await conn.close()
    return out


# --- the subscribers (in client processes)


async def _subscribe(http, sub: Subscriber, received: dict, state: dict) -> None:
    url = f"http://127.0.0.1:{sub.port}/graphql"
    async with state["opening"]:
        try:
            ws = await http.ws_connect(url, protocols=["graphql-transport-ws"], heartbeat=None)
            await ws.send_str(
                json.dumps(
                    {"type": "connection_init", "payload": {"authorization": f"Bearer {sub.token}"}}
                )
            )
            ack = json.loads((await ws.receive(timeout=60)).data)
            if ack["type"] != "connection_ack":
                raise RuntimeError(f"no ack: {ack}")
            await ws.send_str(
                json.dumps(
                    {
                        "id": "1",
                        "type": "subscribe",
                        "payload": {"query": SUBSCRIPTION, "variables": {"id": sub.payment_id}},
                    }
                )
            )
        except Exception as error:
            state["failed"].append(f"open: {type(error).__name__}: {error}"[:200])
            return
    first = True
    try:
        async for message in ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            data = json.loads(message.data)
            kind = data["type"]
            if kind == "ping":
                await ws.send_str('{"type":"pong"}')
            elif kind == "next":
                status = ((data["payload"].get("data") or {}).get("paymentStatus") or {}).get(
                    "status"
                )
                if first:
                    first = False
                    state["ready"] += 1
                    if status != "PENDING":
                        state["failed"].append(f"first message {data}"[:200])
                if status == "SUCCEEDED":
                    received[sub.payment_id] = time.monotonic()
            elif kind in ("error", "complete"):
                state["failed"].append(f"{kind}: {data}"[:200])
                break
    except Exception as error:
        state["failed"].append(f"read: {type(error).__name__}: {error}"[:200])
    finally:
        if first:
            state["failed"].append("closed before the first message")
        await ws.close()


async def _client(subs: list[Subscriber], conn) -> None:
    received: dict[str, float] = {}
    state = {"ready": 0, "failed": [], "opening": asyncio.Semaphore(50)}
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    async with aiohttp.ClientSession(connector=connector) as http:
        tasks = [asyncio.create_task(_subscribe(http, s, received, state)) for s in subs]
        while state["ready"] + len(state["failed"]) < len(subs):  # noqa: ASYNC110 — a count
            await asyncio.sleep(0.1)
        conn.send(("ready", state["ready"], state["failed"][:5], len(state["failed"])))
        # Wait for the parent's "stop" without blocking the loop.
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, conn.recv)
        conn.send(("done", received, state["failed"][:5], len(state["failed"])))
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def client_process(subs: list[Subscriber], conn) -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(_client(subs, conn))


# --- the callbacks (in this process)


async def send_callbacks(
    port: int, subs: list[Subscriber], rate: float
) -> tuple[dict, list[float], list[str]]:
    """POSTs one signed CONFIRMED callback per subscriber at `rate` per second; answers the send
    time of each payment's callback, the callbacks' answer times (sorted) and the errors."""
    url = f"http://127.0.0.1:{port}/payments/callback/sandbox"
    sent: dict[str, float] = {}
    answered: list[float] = []
    errors: list[str] = []
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def one(sub: Subscriber) -> None:
            body = json.dumps(
                {"id": sub.provider_payment_id, "orderId": sub.payment_id, "status": "CONFIRMED",
                 "amount": KOPECKS, "method": "CARD"}
            ).encode()  # fmt: skip
            headers = {
                SIGNATURE_HEADER: signature_header(SANDBOX_SECRET, body),
                "Content-Type": "application/json",
            }
            sent[sub.payment_id] = time.monotonic()
            try:
                async with http.post(url, data=body, headers=headers) as response:
                    text = await response.text()
                    answered.append(time.monotonic() - sent[sub.payment_id])
                    if response.status != 200 or text.strip() != "OK":
                        errors.append(f"HTTP {response.status}: {text[:100]}")
            except (aiohttp.ClientError, TimeoutError) as error:
                errors.append(f"{type(error).__name__}: {error}")

        tasks = []
        started = time.monotonic()
        for i, sub in enumerate(subs):
            delay = started + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(sub)))
        await asyncio.gather(*tasks)
    return sent, sorted(answered), errors


# --- memory


def rss_kb(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description="Push latency of payment statuses.")
    parser.add_argument("--subscribers", type=int, default=5000, help="open websockets")
    parser.add_argument("--rate", type=float, default=100, help="callbacks per second")
    parser.add_argument("--duration", type=float, default=20, help="seconds of callbacks")
    parser.add_argument("--users", type=int, default=2000, help="generated users")
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--settle", type=float, default=5, help="seconds to wait for pushes")
    parser.add_argument("--database-server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database-name", default="lk_bench_push")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--port", type=int, default=18900, help="first server; the second +1")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="record the first server with py-spy while callbacks are sent (collapsed stacks)",
    )
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment of the servers (repeatable)",
    )
    args = parser.parse_args()
    n = args.subscribers
    completed = min(n, int(args.rate * args.duration))

    started = time.monotonic()
    data = asyncio.run(
        dataset.build(
            args.database_server, args.database_name, users=min(args.users, n), secret_key=SECRET
        )
    )
    subs = asyncio.run(insert_payments(data.database_url, data.tokens, n))
    ports = (args.port, args.port + 1)
    # Even indexes on the first server, odd ones on the second; callbacks go to the first.
    subs = [
        Subscriber(ports[i % 2], s.token, s.payment_id, s.provider_payment_id)
        for i, s in enumerate(subs)
    ]
    print(
        f"data: {data.users} users, {n} pending payments ({time.monotonic() - started:.1f} s)",
        flush=True,
    )

    logs = Path(os.environ.get("TMPDIR", "/tmp")) / "lk-bench-push"
    logs.mkdir(exist_ok=True)
    servers = []
    try:
        for port in ports:
            env = server_env(
                data.database_url,
                redis_url=args.redis_url,
                prefix="lkbench-push",
                port=port,
                workers=1,
                pool=20,
                LK_SANDBOX_SECRET=SANDBOX_SECRET,
                LK_SCHEMA_MODE="ready",
                LK_BACKGROUND_TASKS="false",
            )
            env.update(x.split("=", 1) for x in args.server_env)
            servers.append(start([sys.executable, "server.py"], env, logs / f"server-{port}.log"))
        for port, server in zip(ports, servers, strict=True):
            asyncio.run(wait_ready(f"http://127.0.0.1:{port}/graphql", server, data.tokens[0], 1))
        pids = [p for server in servers for p in load.process_tree(server.pid)]
        rss_before = rss_kb(pids)

        # The subscribers: one slice per client process.
        opened = time.monotonic()
        pipes, procs = [], []
        for k in range(args.clients):
            parent, child = multiprocessing.Pipe()
            proc = multiprocessing.Process(target=client_process, args=(subs[k :: args.clients], child))  # fmt: skip
            proc.start()
            pipes.append(parent)
            procs.append(proc)
        ready, open_failed, failures = 0, 0, []
        for pipe in pipes:
            _, count, sample, failed = pipe.recv()
            ready += count
            open_failed += failed
            failures += sample
        opened = time.monotonic() - opened
        time.sleep(2)  # let the servers settle after the burst of connections
        rss_after = rss_kb(pids)
        print(f"subscribers: {ready} of {n} open in {opened:.1f} s, {open_failed} failed", flush=True)  # fmt: skip
        for failure in failures[:5]:
            print(f"  failure: {failure}")

        client_pids = [p.pid for p in procs]
        cpu_before = load.cpu_seconds(pids + client_pids + [os.getpid()])
        load_average = os.getloadavg()[0]
        profiler = None
        if args.profile:
            spy = str(Path(sys.executable).with_name("py-spy"))
            command = [spy, "record", "-f", "raw", "-r", "200", "-o", args.profile, "-p"]
            profiler = start([*command, str(servers[0].pid)], dict(os.environ), logs / "py-spy.log")  # fmt: skip
        wall = time.monotonic()
        sent, answered, errors = asyncio.run(send_callbacks(ports[0], subs[:completed], args.rate))
        time.sleep(args.settle)
        wall = time.monotonic() - wall
        if profiler:
            stop_profiler(profiler)
        cpu_after = load.cpu_seconds(pids + client_pids + [os.getpid()])
        received: dict[str, float] = {}
        failed_in_all, late_failures = 0, []
        for pipe in pipes:
            pipe.send("stop")
        for pipe in pipes:
            _, got, sample, failed = pipe.recv()
            received.update(got)
            failed_in_all += failed
            late_failures += sample
        for proc in procs:
            proc.join(timeout=30)
    finally:
        for server in servers:
            stop(server)
        if not args.keep:
            asyncio.run(dataset.drop_database(args.database_server, args.database_name))

    latencies = sorted((received[pid] - at) * 1000 for pid, at in sent.items() if pid in received)
    lost = [pid for pid in sent if pid not in received]
    # Only subscribers whose callback was sent may get SUCCEEDED: anything else is a wrong push.
    wrong = [pid for pid in received if pid not in sent]

    def pct(p: float, values: list[float] = latencies) -> float:
        return values[min(len(values) - 1, int(len(values) * p))] if values else float("nan")

    def used(group: list[int]) -> float:
        return sum(cpu_after.get(p, 0) - cpu_before.get(p, 0) for p in group) / wall

    print(
        f"\n{n} subscribers over 2 server processes (ports {ports[0]}, {ports[1]}), "
        f"{args.clients} client processes, {os.cpu_count()} cores, "
        f"load average {load_average:.2f} at the start"
    )
    print(
        f"callbacks: {len(sent)} to port {ports[0]} at {args.rate:g}/s, errors {len(errors)}; "
        f"answered (200 OK) in p50 {pct(0.5, answered) * 1000:.1f} ms, "
        f"p99 {pct(0.99, answered) * 1000:.1f} ms"
    )
    print(
        f"push latency (callback sent -> SUCCEEDED at the subscriber): p50 {pct(0.5):.1f} ms, "
        f"p99 {pct(0.99):.1f} ms, max {latencies[-1] if latencies else float('nan'):.1f} ms "
        f"(target p99 <= 50 ms); lost {len(lost)}, unexpected {len(wrong)}"
    )
    per_sub = (rss_after - rss_before) / max(ready, 1)
    print(
        f"server memory: {rss_before / 1024:.0f} MiB before, {rss_after / 1024:.0f} MiB with "
        f"{ready} open = {per_sub:.1f} KB per subscription (target <= 50 KB)"
    )
    print(
        f"CPU while sending (cores): servers {used(pids):.2f} "
        f"({' + '.join(f'{used([p]):.2f}' for p in pids)}), "
        f"subscriber clients {used(client_pids):.2f}, callback sender {used([os.getpid()]):.2f} "
        "(the clients run on the same cores as the servers)"
    )
    # Failures after the subscriptions were open: a websocket closed, an error message.
    dropped = failed_in_all - open_failed
    print(f"websockets failed after opening: {dropped}")
    for failure in late_failures[:5] if dropped else []:
        print(f"  failure: {failure}")
    for error in errors[:5]:
        print(f"  callback error: {error}")
    if errors or lost or wrong or open_failed or dropped:
        sys.exit(1)


if __name__ == "__main__":
    main()
