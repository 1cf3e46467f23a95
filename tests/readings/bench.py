"""Load check of submitReadings against a running server (not collected by pytest).

    python -m tests.readings.bench --url http://127.0.0.1:18200/graphql --seconds 20 --workers 32

Signs in as the demo users and keeps `workers` submissions in flight: each worker alternates
between new values (an update of the pending reading) and the same values (no change), on
Ivan's two-zone meter or Petr's single-zone one. Prints submissions per second and latencies.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import aiohttp

LOGIN = "mutation($l: String!, $p: String!) { login(login: $l, password: $p) { accessToken } }"
METERS = "query($n: String!) { account(number: $n) { meters { id registers { zone } } } }"
SUBMIT = """
mutation($n: String!, $r: [ReadingInput!]!) {
  submitReadings(accountNumber: $n, readings: $r) { readings { id } errors { code field } }
}
"""
USERS = [("Ivan", "Ivan12345", "66200000000", 4939), ("Petr", "Petr12345", "66200000001", 12001)]


async def call(http, url, query, variables, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with http.post(url, json={"query": query, "variables": variables}, headers=headers) as r:
        body = await r.json()
    if body.get("errors"):
        raise RuntimeError(body["errors"])
    return body["data"]


async def prepare(http, url):
    targets = []
    for login, password, number, base in USERS:
        token = (await call(http, url, LOGIN, {"l": login, "p": password}))["login"]["accessToken"]
        meters = (await call(http, url, METERS, {"n": number}, token))["account"]["meters"]
        registers = [(m["id"], r["zone"]) for m in meters for r in m["registers"]]
        targets.append((token, number, registers, base))
    return targets


async def worker(http, url, target, deadline, latencies, failures, index):
    token, number, registers, base = target
    step = 0
    while time.monotonic() < deadline:
        value = base + 100 * (index % 7) + step % 2  # alternate: changed, then unchanged
        readings = [
            {"meterId": meter, "zone": zone, "value": str(value + 80 * i)}
            for i, (meter, zone) in enumerate(registers)
        ]
        started = time.monotonic()
        data = await call(http, url, SUBMIT, {"n": number, "r": readings}, token)
        latencies.append(time.monotonic() - started)
        if data["submitReadings"]["errors"]:
            failures.append(data["submitReadings"]["errors"])
        step += 1


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:18200/graphql")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=32)
    args = parser.parse_args()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        targets = await prepare(http, args.url)
        latencies: list[float] = []
        failures: list = []
        started = time.monotonic()
        deadline = started + args.seconds
        await asyncio.gather(
            *(
                worker(http, args.url, targets[i % len(targets)], deadline, latencies, failures, i)
                for i in range(args.workers)
            )
        )
        elapsed = time.monotonic() - started
    latencies.sort()
    print(
        f"{len(latencies)} submissions in {elapsed:.1f} s: {len(latencies) / elapsed:.0f}/s, "
        f"p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.0f} ms, "
        f"failures {len(failures)}"
    )


if __name__ == "__main__":
    asyncio.run(main())
