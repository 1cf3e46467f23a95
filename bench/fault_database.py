"""Fault: the database restarted under load.

Never touches the machine's shared PostgreSQL: starts a PRIVATE cluster in a temporary
directory (initdb + pg_ctl, as the user postgres when run as root) on --pg-port, runs one
server process against it (LK_ENV=production by default, so errors are masked as in
production; T-Bank credentials are dummies, no payment is made), and keeps a steady load of
--clients loops, each alternating Ivan's account statement query and a submitReadings mutation.
After --before seconds the cluster is stopped (pg_ctl stop -m fast), left down for --outage
seconds and started again; the load goes on for --after seconds. Checks: every answer during
the outage is a clean failure (a JSON body; GraphQL errors masked: «Внутренняя ошибка» with an
errorId, no driver text; /healthz 503 with JSON), no request hangs beyond --timeout, and the
requests succeed again on their own after the restart (time until the first success and until
the last failure are printed).

    .venv/bin/python bench/fault_database.py [--outage 3] [--clients 6] [--development]

Prints PASS/FAIL per check and a summary; exit status 1 on any FAIL.
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from bench.faults_common import (
    ACCOUNT_QUERY,
    Api,
    Check,
    log,
    percentile,
    server_env,
    start_server,
    wait_http,
)
from bench.harness import stop as stop_process

METERS = """query { account(number: "66200000000") { meters { id serialNumber
  registers { zone periodStart { value } } } } }"""
SUBMIT = """mutation($n: String!, $r: [ReadingInput!]!) { submitReadings(accountNumber: $n,
  readings: $r) { errors { code field message } readings { zone value } } }"""
DRIVER_WORDS = ("asyncpg", "connection", "Connection", "psycopg", "Errno", "refused", "socket")


@dataclass
class Answer:
    started: float
    ended: float
    kind: str
    ok: bool
    http_status: int | None
    json_body: bool
    detail: str


class Cluster:
    """A private PostgreSQL cluster in a temporary directory."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.bin = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1])
        self.dir = Path(tempfile.mkdtemp(prefix="fault-pg-"))
        self.data = self.dir / "data"
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.dir / "pg.log"),
            "-w", *extra, action,
        )  # fmt: skip

    def signal_all(self, sig: int) -> int:
        """Sends sig to the cluster's postmaster and its children (only this cluster's)."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        pids = [postmaster]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == postmaster:
                    pids.append(int(entry.name))
        for pid in pids:
            os.kill(pid, sig)
        return len(pids)

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


async def one_request(api: Api, kind: str, variables: dict | None, query: str) -> Answer:
    started = time.monotonic()
    status, json_body, detail, ok = None, False, "", False
    try:
        async with api.http.post(
            f"{api.base}/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {api.token}"},
            timeout=aiohttp.ClientTimeout(total=api.timeout),
        ) as response:
            status = response.status
            text = await response.text()
        try:
            import json

            body = json.loads(text)
            json_body = isinstance(body, dict)
        except ValueError:
            body, detail = None, f"not JSON: {text[:120]!r}"
        if json_body:
            errors = body.get("errors") or []
            data = body.get("data") or {}
            payload = data.get("submitReadings") if kind == "submit" else data.get("account")
            if errors:
                e = errors[0]
                detail = f"{e.get('message')} {e.get('extensions', {})}"
            elif kind == "submit" and payload and payload["errors"]:
                detail = f"domain errors {payload['errors']}"
            ok = (
                status == 200
                and not errors
                and bool(payload)
                and not (kind == "submit" and payload["errors"])
            )
    except TimeoutError:
        detail = "timeout"
    except aiohttp.ClientError as error:
        detail = f"transport: {error!r}"[:200]
    return Answer(started, time.monotonic(), kind, ok, status, json_body, detail)


async def run(args: argparse.Namespace) -> int:
    check = Check()
    cluster = Cluster(args.pg_port)
    workdir = Path(tempfile.mkdtemp(prefix="fault-db-"))
    log(f"private cluster in {cluster.dir} (port {args.pg_port}), server logs in {workdir}")
    server = None
    try:
        cluster.init()
        cluster.ctl("start")
        command = ["psql", cluster.url(), "-qc", "CREATE DATABASE lk"]
        await asyncio.to_thread(subprocess.run, command, check=True)
        extra = {}
        if not args.development:
            extra = dict(
                LK_ENV="production",
                LK_CAPTCHA="enabled",
                LK_ARGON2_PROFILE="standard",
                LK_PAYMENT_PROVIDER="tbank",
                LK_TBANK_URL="http://127.0.0.1:9",
                LK_TBANK_TERMINAL_KEY="dummy",
                LK_TBANK_PASSWORD="dummy",
                LK_DEMO_DATA="true",
                # A local stand: the demo users, plain http and an open /metrics, on purpose.
                LK_ALLOW_INSECURE="demo_data,http_public_url,open_metrics",
            )
        extra["LK_DATABASE_TIMEOUT"] = str(args.database_timeout)
        env = server_env(args.port, cluster.url("lk"), **extra)
        server = start_server(args.port, env, workdir / "server.log")
        base = f"http://127.0.0.1:{args.port}"
        await wait_http(f"{base}/healthz", server)

        async with aiohttp.ClientSession() as http:
            api = Api(base, http, timeout=args.timeout)
            await api.login()
            _, body = await api.gql(METERS)
            meters = body["data"]["account"]["meters"]
            meter = next(m for m in meters if len(m["registers"]) == 2)
            starts = {r["zone"]: int(float(r["periodStart"]["value"])) for r in meter["registers"]}

            answers: list[Answer] = []
            health: list[tuple[float, int, bool]] = []
            stop = asyncio.Event()

            async def client(index: int) -> None:
                n = 0
                while not stop.is_set():
                    n += 1
                    if n % 2:
                        answers.append(await one_request(api, "query", None, ACCOUNT_QUERY))
                    else:
                        readings = [
                            {"meterId": meter["id"], "zone": z, "value": str(v + 10 + index)}
                            for z, v in starts.items()
                        ]
                        variables = {"n": "66200000000", "r": readings}
                        answers.append(await one_request(api, "submit", variables, SUBMIT))
                    await asyncio.sleep(args.pause)

            async def prober() -> None:
                while not stop.is_set():
                    try:
                        async with http.get(
                            f"{base}/healthz", timeout=aiohttp.ClientTimeout(total=args.timeout)
                        ) as response:
                            try:
                                await response.json(content_type=None)
                                is_json = True
                            except ValueError:
                                is_json = False
                            health.append((time.monotonic(), response.status, is_json))
                    except (TimeoutError, aiohttp.ClientError):
                        health.append((time.monotonic(), 0, False))
                    await asyncio.sleep(0.25)

            tasks = [asyncio.create_task(client(i)) for i in range(args.clients)]
            tasks.append(asyncio.create_task(prober()))
            await asyncio.sleep(args.before)
            down_at = time.monotonic()
            if args.freeze:
                count = cluster.signal_all(signal.SIGSTOP)
                log(f"froze the private cluster (SIGSTOP to its {count} processes)")
                await asyncio.sleep(args.outage)
                cluster.signal_all(signal.SIGCONT)
                log("thawed it (SIGCONT)")
            else:
                log("stopping the private cluster (pg_ctl stop -m fast)")
                await asyncio.to_thread(cluster.ctl, "stop", "-m", "fast")
                await asyncio.sleep(args.outage)
                log("starting it again")
                await asyncio.to_thread(cluster.ctl, "start")
            up_at = time.monotonic()
            log(f"cluster down {up_at - down_at:.1f} s")
            await asyncio.sleep(args.after)
            stop.set()
            await asyncio.gather(*tasks)

        before = [a for a in answers if a.ended < down_at]
        during = [a for a in answers if a.ended >= down_at and a.started < up_at]
        after = [a for a in answers if a.started >= up_at]
        failures = [a for a in answers if not a.ok]
        check(
            "the load succeeded before the outage",
            before and all(a.ok for a in before),
            f"{sum(a.ok for a in before)}/{len(before)}",
        )
        check(
            "requests failed while the database was down (the outage was seen)",
            any(not a.ok for a in during),
            f"{sum(not a.ok for a in during)}/{len(during)} failed",
        )
        not_json = [a for a in failures if not a.json_body]
        check(
            "every failure answered a JSON body (no bare 500, no dropped connection)",
            not not_json,
            f"{len(not_json)}: {Counter(a.detail[:80] for a in not_json).most_common(3)}",
        )
        slow = [a for a in answers if a.ended - a.started >= args.timeout * 0.95]
        check(
            f"no request took longer than the {args.timeout:.0f} s timeout",
            not slow,
            f"slowest {max(a.ended - a.started for a in answers):.2f} s",
        )
        statuses = Counter(a.http_status for a in failures)
        if not args.development:
            leaked = [a for a in failures if any(w in a.detail for w in DRIVER_WORDS)]
            masked = [
                a for a in failures if "Внутренняя ошибка" in a.detail and "errorId" in a.detail
            ]
            check(
                "failures are masked as in production («Внутренняя ошибка» + errorId)",
                failures and len(masked) == len(failures) and not leaked,
                f"{len(masked)}/{len(failures)} masked, {len(leaked)} show driver text"
                + (f"; e.g. {leaked[0].detail[:160]!r}" if leaked else "")
                + (
                    f"; unmasked e.g. {next(a.detail for a in failures if a not in masked)[:160]!r}"
                    if len(masked) < len(failures)
                    else ""
                ),
            )
        health_down = [h for h in health if down_at <= h[0] <= up_at]
        check(
            "/healthz answered 503 with JSON while the database was down",
            health_down and all(h[1] == 503 and h[2] for h in health_down),
            f"{Counter(h[1] for h in health_down)}",
        )
        first_ok = min((a.ended for a in after if a.ok), default=None)
        last_fail = max((a.ended for a in failures), default=down_at)
        tail = [a for a in answers if a.started >= last_fail]
        check(
            "requests succeed again on their own after the restart",
            first_ok is not None and len(tail) > 0 and all(a.ok for a in tail) and after[-1].ok,
            f"{sum(a.ok for a in after)}/{len(after)} after the restart succeeded",
        )
        latencies = [(a.ended - a.started) * 1000 for a in before]
        print(
            f"\nfigures ({'development' if args.development else 'production'}): "
            f"{len(answers)} requests by {args.clients} clients; cluster down "
            f"{up_at - down_at:.1f} s; {len(failures)} failed (HTTP {dict(statuses)}); "
            f"first success {(first_ok or up_at) - up_at:.2f} s after the cluster was up, "
            f"last failure {last_fail - up_at:+.2f} s from it; latency before the outage p50 "
            f"{percentile(latencies, 0.5):.0f} ms p99 {percentile(latencies, 0.99):.0f} ms; "
            f"slowest request {max(a.ended - a.started for a in answers):.2f} s"
        )
        kinds = Counter(
            re.sub(r"'errorId': '\w+'", "'errorId': …", a.detail)[:100] for a in failures
        )
        for detail, count in kinds.most_common(5):
            print(f"  {count:4d} x {detail}")
    finally:
        stop_process(server)
        try:
            cluster.ctl("stop", "-m", "immediate")
        except subprocess.CalledProcessError:
            pass
        cluster.remove()
    return check.summary("fault_database")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--before", type=float, default=4, help="seconds of load first")
    parser.add_argument("--outage", type=float, default=3, help="seconds the cluster is down")
    parser.add_argument("--after", type=float, default=10, help="seconds of load after")
    parser.add_argument("--pause", type=float, default=0.05, help="each client's pause, s")
    parser.add_argument("--timeout", type=float, default=20, help="per-request timeout, s")
    parser.add_argument(
        "--database-timeout", type=float, default=5, help="the server's LK_DATABASE_TIMEOUT, s"
    )
    parser.add_argument("--port", type=int, default=19130)
    parser.add_argument("--pg-port", type=int, default=19160)
    parser.add_argument("--development", action="store_true", help="LK_ENV=development")
    parser.add_argument(
        "--freeze", action="store_true", help="SIGSTOP/SIGCONT the cluster instead of a restart"
    )
    sys.exit(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
