"""What the bench scripts share: the server's environment, starting and stopping processes (in
a session of their own, so that workers stop with them), waiting until every worker answers,
and stopping a profiler. Generated data: bench/dataset.py; load generators: bench/load.py;
the fault scripts' own steps: bench/faults_common.py.

Run the scripts with the README's venv from the repository's root: `.venv/bin/python bench/X.py`.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
# Asked until the server answers (any query every worker can serve).
PROBE = "query Probe { me { login } }"


def server_env(
    database_url: str,
    *,
    redis_url: str,
    prefix: str,
    port: int,
    workers: int,
    pool: int,
    **extra: str,
) -> dict[str, str]:
    """The environment of a benchmarked `server.py`: development settings, the bench's secret,
    no demo data, no access log line per request (the hand-written baseline writes none)."""
    return dict(
        os.environ,
        LK_ENV="development",
        LK_DATABASE_URL=f"{database_url}?maxsize={pool}",
        LK_REDIS_URL=redis_url,
        LK_REDIS_PREFIX=prefix,
        LK_SECRET_KEY=SECRET,
        LK_DEMO_DATA="false",
        LK_HOST="127.0.0.1",
        LK_PORT=str(port),
        LK_WORKERS=str(workers),
        LK_ACCESS_LOG="false",
        PYTHONPATH=str(ROOT),
        **extra,
    )


def start(
    command: list[str], env: dict[str, str] | None, log: Path, *, append: bool = False
) -> subprocess.Popen:
    # A session of its own, so that the whole process group (workers included) stops at the end.
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log.open("ab" if append else "wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(process: subprocess.Popen | None, sig: int = signal.SIGTERM) -> None:
    """Stops the process group (SIGKILL after 10 s)."""
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, sig)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def stop_profiler(profiler: subprocess.Popen) -> None:
    # py-spy writes its file on SIGINT.
    if profiler.poll() is None:
        os.killpg(profiler.pid, signal.SIGINT)
        profiler.wait(timeout=60)


async def post(url: str, token: str, query: str = PROBE) -> dict:
    async with aiohttp.ClientSession() as session:
        async with session.post(
            url, json={"query": query}, headers={"Authorization": f"Bearer {token}"}
        ) as response:
            assert response.status == 200, await response.text()
            return await response.json()


async def wait_ready(
    url: str, process: subprocess.Popen, token: str, workers: int, *, query: str = PROBE
) -> None:
    """Until every worker answers: SO_REUSEPORT spreads new connections, so a few are made."""
    deadline = time.monotonic() + 60
    answered = 0
    while answered < 4 * workers:
        if process.poll() is not None:
            raise SystemExit(f"{url}: the server exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise SystemExit(f"{url}: not ready after 60 s")
        try:
            await post(url, token, query)
            answered += 1
        except (aiohttp.ClientError, AssertionError):
            answered = 0
            await asyncio.sleep(0.2)
