"""Where the memory of open subscriptions goes: tracemalloc in a server with N idle ones.

Creates a fresh PostgreSQL database (`bench/dataset.py`) with one PENDING payment per
subscriber (as bench/push.py does), starts ONE server process (this script with `--serve`: the
app of `server.py`, with tracemalloc tracing `--frames` frames), takes a snapshot, opens
`--subscribers` websockets with `paymentStatus(id)` from a client process (bench/push.py's), takes
a second snapshot, and prints the difference per open subscription: in total, by library (the
file of the innermost frame: aiohttp, strawberry, graphql-core, asyncio, this project, ...), and
by file and line; and VmRSS before and after (tracemalloc's figure leaves out the allocator's
own overhead and fragmentation, which the RSS shows).

    .venv/bin/python bench/ws_memory.py [--subscribers 2000] [--top 30]

Tracing slows the server down several times: the latencies of this run mean nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing
import os
import signal
import sys
import time
import tracemalloc
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import dataset, load  # noqa: E402
from bench.harness import SECRET, server_env, start, stop, wait_ready  # noqa: E402
from bench.push import Subscriber, client_process, insert_payments, rss_kb  # noqa: E402

GROUPS = (
    ("aiohttp", "/aiohttp/"),
    ("strawberry", "/strawberry/"),
    ("graphql-core", "/graphql/"),
    ("redis", "/redis/"),
    ("tortoise/pypika", "/tortoise/"),
    ("tortoise/pypika", "/pypika"),
    ("asyncpg", "/asyncpg/"),
    ("asyncio", "/asyncio/"),
    ("uvloop", "/uvloop/"),
)


def group_of(filename: str) -> str:
    for name, part in GROUPS:
        if part in filename:
            return name
    if filename.startswith(str(ROOT)) and "site-packages" not in filename:
        return "ours: " + os.path.relpath(filename, ROOT).split("/")[0]
    return "other: " + Path(filename).name


def where(frame: tracemalloc.Frame) -> str:
    name = frame.filename
    short = (
        os.path.relpath(name, ROOT)
        if name.startswith(str(ROOT))
        else name.split("site-packages/")[-1]
    )
    return f"{short.split('/python3.11/')[-1]}:{frame.lineno}"


# --- the traced server (a process of its own)


def serve() -> None:
    """server.py's app in one process, answering SIGUSR1 with a snapshot written to
    $LK_BENCH_SNAPSHOT.N (N counting from 1)."""
    import server
    from settings import Settings

    tracemalloc.start(int(os.environ.get("LK_BENCH_FRAMES", "1")))
    settings = Settings()
    app = server._served_app(settings)
    taken = 0

    def snapshot() -> None:
        nonlocal taken
        gc.collect()
        taken += 1
        path = f"{os.environ['LK_BENCH_SNAPSHOT']}.{taken}"
        tracemalloc.take_snapshot().dump(path + ".part")
        os.replace(path + ".part", path)

    async def on_signal(app: object) -> None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, snapshot)

    app.on_startup.append(on_signal)
    server._install_uvloop()
    server.web.run_app(app, **server._run_options(settings))


def take(process, path: str, number: int) -> tracemalloc.Snapshot:
    os.kill(process.pid, signal.SIGUSR1)
    target = Path(f"{path}.{number}")
    deadline = time.monotonic() + 300
    while not target.exists():
        if time.monotonic() > deadline:
            raise SystemExit("no snapshot after 300 s")
        time.sleep(0.2)
    return tracemalloc.Snapshot.load(str(target))


def main() -> None:
    parser = argparse.ArgumentParser(description="Memory per open subscription, by origin.")
    parser.add_argument("--subscribers", type=int, default=2000)
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--frames", type=int, default=1, help="traceback depth of tracemalloc")
    parser.add_argument("--top", type=int, default=30, help="lines printed")
    parser.add_argument("--traces", type=int, default=0, help="tracebacks printed (--frames)")
    parser.add_argument("--database-server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database-name", default="lk_bench_wsmem")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--port", type=int, default=18920)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--server-env", action="append", default=[], metavar="NAME=VALUE",
        help="extra environment of the server (repeatable)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.serve:
        serve()
        return
    n = args.subscribers
    data = asyncio.run(
        dataset.build(
            args.database_server, args.database_name, users=min(args.users, n), secret_key=SECRET
        )
    )
    subs = [
        Subscriber(args.port, s.token, s.payment_id, s.provider_payment_id)
        for s in asyncio.run(insert_payments(data.database_url, data.tokens, n))
    ]
    logs = Path(os.environ.get("TMPDIR", "/tmp")) / "lk-bench-wsmem"
    logs.mkdir(exist_ok=True)
    snap = str(logs / f"snapshot-{os.getpid()}")
    env = server_env(
        data.database_url,
        redis_url=args.redis_url,
        prefix="lkbench-wsmem",
        port=args.port,
        workers=1,
        pool=10,
        LK_SCHEMA_MODE="ready",
        LK_BACKGROUND_TASKS="false",
        LK_BENCH_SNAPSHOT=snap,
        LK_BENCH_FRAMES=str(args.frames),
    )
    env.update(x.split("=", 1) for x in args.server_env)
    process = start([sys.executable, __file__, "--serve"], env, logs / "server.log")
    proc = None
    try:
        asyncio.run(wait_ready(f"http://127.0.0.1:{args.port}/graphql", process, data.tokens[0], 1))
        pids = load.process_tree(process.pid)
        before = take(process, snap, 1)
        rss_before = rss_kb(pids)
        parent, child = multiprocessing.Pipe()
        proc = multiprocessing.Process(target=client_process, args=(subs, child))
        proc.start()
        _, ready, sample, failed = parent.recv()
        time.sleep(2)
        after = take(process, snap, 2)
        rss_after = rss_kb(pids)
        parent.send("stop")
        parent.recv()
        proc.join(timeout=30)
    finally:
        stop(process)
        if proc is not None and proc.is_alive():
            proc.kill()
        asyncio.run(dataset.drop_database(args.database_server, args.database_name))
        for number in (1, 2):
            Path(f"{snap}.{number}").unlink(missing_ok=True)

    print(f"subscriptions open: {ready} of {n} ({failed} failed) {sample[:2]}")
    if not ready:
        sys.exit(1)
    diff = after.compare_to(before, "lineno")
    traced = sum(d.size_diff for d in diff)
    blocks = sum(d.count_diff for d in diff)
    print(
        f"VmRSS: {rss_before / 1024:.1f} -> {rss_after / 1024:.1f} MiB = "
        f"{(rss_after - rss_before) / ready:.1f} KB per subscription; traced by tracemalloc: "
        f"{traced / ready / 1024:.1f} KB in {blocks / ready:.0f} blocks per subscription"
    )
    groups: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for d in diff:
        group = groups[group_of(d.traceback[0].filename)]
        group[0] += d.size_diff
        group[1] += d.count_diff
    print("\nby library (innermost frame):  KB/sub  blocks/sub")
    for name, (size, count) in sorted(groups.items(), key=lambda kv: -kv[1][0]):
        if abs(size) / ready >= 16:
            print(f"  {name:<28} {size / ready / 1024:7.2f} {count / ready:10.1f}")
    print(f"\ntop {args.top} lines:  bytes/sub  blocks/sub")
    for d in sorted(diff, key=lambda d: -d.size_diff)[: args.top]:
        print(f"  {d.size_diff / ready:8.0f} {d.count_diff / ready:8.1f}  {where(d.traceback[0])}")
    if args.traces:
        print(f"\ntop {args.traces} tracebacks (innermost last):  bytes/sub  blocks/sub")
        traces = after.compare_to(before, "traceback")
        for d in sorted(traces, key=lambda d: -d.size_diff)[: args.traces]:
            print(f"  {d.size_diff / ready:8.0f} {d.count_diff / ready:8.1f}")
            for frame in d.traceback:
                print(f"      {where(frame)}")
        # Each allocation charged to the innermost frame of this project's code that led to it
        # (or to its library when none did): what our code makes others allocate.
        callers: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        inner: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
        for d in traces:
            ours = [f for f in reversed(d.traceback) if group_of(f.filename).startswith("ours")]
            key = where(ours[0]) if ours else group_of(d.traceback[-1].filename)
            callers[key][0] += d.size_diff
            callers[key][1] += d.count_diff
            line = inner[key][where(d.traceback[-1])]
            line[0] += d.size_diff
            line[1] += d.count_diff
        print("\nby the innermost frame of ours on the way (else the library):  KB/sub  blocks/sub")
        ranked = sorted(callers.items(), key=lambda kv: -kv[1][0])
        for key, (size, count) in ranked[:30]:
            print(f"  {key:<50} {size / ready / 1024:7.2f} {count / ready:8.1f}")
        for key, _ in ranked[:8]:
            print(f"\n  {key}, by the line that allocated:  bytes/sub  blocks/sub")
            lines = sorted(inner[key].items(), key=lambda kv: -kv[1][0])
            for line_key, (size, count) in lines[:12]:
                print(f"    {line_key:<60} {size / ready:7.0f} {count / ready:6.1f}")


if __name__ == "__main__":
    main()
