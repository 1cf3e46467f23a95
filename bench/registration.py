"""Times the captcha query and startRegistration against a running server:

LK_PORT=18100 LK_CAPTCHA=disabled .venv/bin/python server.py &
.venv/bin/python bench/registration.py http://127.0.0.1:18100
"""

import argparse
import asyncio
import time

import aiohttp

URL = ""

START = """mutation($input: StartRegistrationInput!) { startRegistration(input: $input) { registration { id } errors { code } } }"""


async def main():
    async with aiohttp.ClientSession() as s:

        async def gql(q, v=None):
            async with s.post(URL + "/graphql", json={"query": q, "variables": v or {}}) as r:
                return await r.json()

        await gql("{ captcha { id } }")
        n = 50
        t = time.perf_counter()
        for _ in range(n):
            await gql("{ captcha { id image } }")
        print(f"captcha: {(time.perf_counter() - t) / n * 1000:.1f} ms per query (sequential, {n})")
        t = time.perf_counter()
        await asyncio.gather(*(gql("{ captcha { id image } }") for _ in range(n)))
        print(f"captcha: {n / (time.perf_counter() - t):.0f} queries/s ({n} concurrent)")
        t = time.perf_counter()
        for i in range(20):
            inp = {
                "login": f"bench{i}",
                "password": "Bench-pass-1",
                "passwordRepeat": "Bench-pass-1",
                "channel": "PHONE",
                "phone": f"+7912000{i:04d}",
                "city": "",
                "captchaId": "x",
                "captchaAnswer": "x",
                "consentToPersonalData": True,
            }
            d = await gql(START, {"input": inp})
            assert not d["data"]["startRegistration"]["errors"], d
        print(
            f"startRegistration (argon2 standard): {(time.perf_counter() - t) / 20 * 1000:.1f} ms each"
        )
        async with s.get(URL + "/dev/outbox") as r:
            print("dev/outbox status", r.status)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="captcha and startRegistration timings.")
    parser.add_argument("url", help="the running server, e.g. http://127.0.0.1:18100")
    URL = parser.parse_args().url.rstrip("/")
    asyncio.run(main())
