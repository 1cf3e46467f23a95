"""Load generators for the benchmarks: `wrk` (Debian package wrk) when installed, otherwise a
Python one (asyncio + aiohttp). Both keep `connections` keep-alive connections busy for
`duration` seconds, each request with the next user's token, and report requests/s and
p50/p99 latency. The CPU time of the server processes is read from /proc (Linux)."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import asyncpg

WRK_SCRIPT = r"""
local tokens = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do tokens[#tokens + 1] = line end
local file = io.open(os.getenv("BENCH_BODY")); local body = file:read("*a"); file:close()
local bodies = {}
if os.getenv("BENCH_BODIES") then
  for line in io.lines(os.getenv("BENCH_BODIES")) do bodies[#bodies + 1] = line end
end
local threads = 0
function setup(thread) thread:set("id", threads); threads = threads + 1 end
local i = 0
function init(args) i = (id or 0) * 7919 end
function request()
  i = i + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[(i % #tokens) + 1]}, bodies[(i % #tokens) + 1] or body)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    tool: str

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def run(
    url: str,
    body: bytes | list[bytes],
    tokens: list[str],
    *,
    connections: int,
    duration: float,
    tool: str,
) -> LoadResult:
    """`body`: one for every request, or one per token (sent with that token; one line each)."""
    if tool == "wrk":
        return _wrk(url, body, tokens, connections=connections, duration=duration)
    return asyncio.run(_python(url, body, tokens, connections=connections, duration=duration))


def default_tool() -> str:
    return "wrk" if shutil.which("wrk") else "python"


def _wrk(url: str, body: bytes | list[bytes], tokens: list[str], *, connections: int, duration: float) -> LoadResult:  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        script, tokens_file, body_file = (Path(tmp) / n for n in ("load.lua", "tokens", "body"))
        script.write_text(WRK_SCRIPT)
        tokens_file.write_text("\n".join(tokens) + "\n")
        env = dict(os.environ, BENCH_TOKENS=str(tokens_file), BENCH_BODY=str(body_file))
        if isinstance(body, list):
            (Path(tmp) / "bodies").write_bytes(b"\n".join(body) + b"\n")
            env["BENCH_BODIES"] = str(Path(tmp) / "bodies")
            body = body[0]
        body_file.write_bytes(body)
        out = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{int(duration)}s", "--timeout", "5s",
             "-s", str(script), url],
            env=env, capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    requests, micros, p50, p99, status_errors, io_errors = map(int, line.split()[1:])
    return LoadResult(requests, micros / 1e6, p50 / 1000, p99 / 1000, status_errors + io_errors, "wrk")  # fmt: skip


async def _python(
    url: str, body: bytes | list[bytes], tokens: list[str], *, connections: int, duration: float
) -> LoadResult:
    bodies = body if isinstance(body, list) else [body] * len(tokens)
    latencies: list[float] = []
    errors = 0
    next_token = 0
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        deadline = time.perf_counter() + duration

        async def worker() -> None:
            nonlocal errors, next_token
            while time.perf_counter() < deadline:
                next_token += 1
                headers = {
                    "Content-Type": "application/json",
                    "Authorization": "Bearer " + tokens[next_token % len(tokens)],
                }
                started = time.perf_counter()
                try:
                    data = bodies[next_token % len(tokens)]
                    async with session.post(url, data=data, headers=headers) as response:
                        await response.read()
                        if response.status != 200:
                            errors += 1
                except aiohttp.ClientError:
                    errors += 1
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        seconds = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000

    return LoadResult(len(latencies), seconds, pct(0.50), pct(0.99), errors, "python")


# --- CPU time of a process tree, from /proc


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(x) for x in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def process_tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        todo += _children(current)
    return pids


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds of each process."""
    tick = os.sysconf("SC_CLK_TCK")
    result = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        result[pid] = (int(fields[11]) + int(fields[12])) / tick
    return result


def pg_backends(database_url: str, name: str) -> list[int]:
    """Process ids of the PostgreSQL backends connected to database `name` (their CPU is read
    from /proc like the servers')."""

    async def query() -> list[int]:
        conn = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
        try:
            rows = await conn.fetch(
                "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                name,
            )
        finally:
            await conn.close()
        return [r["pid"] for r in rows]

    return asyncio.run(query())
