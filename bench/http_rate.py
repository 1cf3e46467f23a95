"""Requests per second of a running server for a few GraphQL documents (bounded in time).

    python bench/http_rate.py http://127.0.0.1:8000 --seconds 5 --concurrency 8

Signs in as the demo user Ivan first; only ever talks to the URL it is given.
"""

from __future__ import annotations

import argparse
import asyncio
import time

import aiohttp

DOCUMENTS = {
    "typename": "{ __typename }",
    "account": """query { me { login } account(number: "66200000000") {
        number holderName statement { totalToPay lines { tariff paid toPay } } } }""",
}


async def measure(session, url, token, query, seconds, concurrency) -> tuple[float, int]:
    done = errors = 0
    deadline = time.perf_counter() + seconds
    headers = {"Authorization": f"Bearer {token}"}

    async def worker() -> None:
        nonlocal done, errors
        while time.perf_counter() < deadline:
            async with session.post(url, json={"query": query}, headers=headers) as response:
                body = await response.json()
                if response.status != 200 or body.get("errors"):
                    errors += 1
                done += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done / (time.perf_counter() - started), errors


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    url = args.base.rstrip("/") + "/graphql"
    async with aiohttp.ClientSession() as session:
        login = 'mutation { login(login: "Ivan", password: "Ivan12345") { accessToken } }'
        async with session.post(url, json={"query": login}) as response:
            token = (await response.json())["data"]["login"]["accessToken"]
        for name, query in DOCUMENTS.items():
            rate, errors = await measure(session, url, token, query, args.seconds, args.concurrency)
            print(f"{name:10} {rate:8.0f} requests/s  errors: {errors}")


if __name__ == "__main__":
    asyncio.run(main())
