"""How long each PDF takes to serve, and how large it is: the real app on a fresh SQLite file with
the demo data, over a real socket on 127.0.0.1, one request at a time and then 4 at once.

    .venv/bin/python bench/documents.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp.test_utils import TestClient, TestServer

from server import create_app
from services import periods
from settings import Settings
from tests.graphql import GraphQLClient

DOCUMENT_URL = """
query($kind: DocumentKind!, $from: Date, $to: Date, $paymentId: ID) {
  documentUrl(accountNumber: "66200000000", kind: $kind, from: $from, to: $to,
              paymentId: $paymentId) { url errors { code } }
}
"""


async def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            _env_file=None,
            database_url=f"sqlite://{Path(folder) / 'lk.sqlite3'}",
            secret_key="measure-" + "x" * 40,
            public_url="http://127.0.0.1",
            demo_data=True,
            captcha="disabled",
            argon2_profile="fast",
            schema_mode="generate",
            background_tasks=False,
        )
        async with TestClient(TestServer(create_app(settings), host="127.0.0.1")) as http:
            await measure(GraphQLClient(http), rounds)


async def measure(client: GraphQLClient, rounds: int) -> None:
    token = await client.login("Ivan", "Ivan12345")
    today = periods.local_today("Asia/Yekaterinburg")
    last = periods.add_months(periods.period_of(today), -1)
    kinds = {
        "PAYMENT_DOCUMENT": {},
        "CHARGE_HISTORY": {"from": periods.add_months(last, -5).isoformat(), "to": str(last)},
        "PAYMENT_HISTORY": {"from": f"{today.year - 1}-01-01", "to": today.isoformat()},
        "READING_HISTORY": {"from": f"{today.year - 1}-01-01", "to": today.isoformat()},
        "PAYMENT_RECEIPT": {"paymentId": str(uuid.uuid5(uuid.NAMESPACE_URL, "demo-payment-1"))},
    }
    # Wall time suffers when other work shares the cores; CPU time of the process (server and
    # client alike, both here) much less so.
    print(
        f"{'kind':<18} {'median ms':>10} {'p95 ms':>8} {'cpu ms':>7} {'bytes':>7}   ({rounds} rounds)"
    )
    paths = {}
    for kind, arguments in kinds.items():
        data = await client.execute(DOCUMENT_URL, {"kind": kind, **arguments}, token=token)
        path = "/documents/" + data["documentUrl"]["url"].split("/documents/", 1)[1]
        paths[kind] = path
        times, size = [], 0
        cpu_started = time.process_time()
        for _ in range(rounds):
            started = time.perf_counter()
            response = await client.http.get(path)
            size = len(await response.read())
            times.append((time.perf_counter() - started) * 1000)
            assert response.status == 200
        cpu = (time.process_time() - cpu_started) * 1000 / rounds
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        print(f"{kind:<18} {statistics.median(times):>10.1f} {p95:>8.1f} {cpu:>7.1f} {size:>7}")

    async def fetch(path: str) -> None:
        response = await client.http.get(path)
        await response.read()

    count = rounds * 4
    started = time.perf_counter()
    for _ in range(rounds):
        await asyncio.gather(*(fetch(paths["PAYMENT_DOCUMENT"]) for _ in range(4)))
    elapsed = time.perf_counter() - started
    print(f"bills, 4 at a time: {count / elapsed:.1f} PDFs/s ({count} in {elapsed:.2f} s)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Time and size of each PDF document.")
    parser.add_argument("--rounds", type=int, default=20, help="requests per kind of document")
    asyncio.run(main(parser.parse_args().rounds))
