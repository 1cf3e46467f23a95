"""What the fault scripts (bench/fault_*.py) share: starting server processes and a private
Redis, a fresh PostgreSQL database, and the customer's steps over HTTP (login, createPayment,
paying on the sandbox's card page or by SBP, subscribing over graphql-transport-ws)."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg

from bench import harness

PYTHON = sys.executable
SECRET = "faults-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
ACCOUNT = "66200000000"  # Ivan's demo account

LOGIN = """mutation($l: String!, $p: String!) { login(login: $l, password: $p) {
  accessToken errors { code message } } }"""
CREATE = """mutation($input: CreatePaymentInput!) { createPayment(input: $input) {
  payment { id status confirmationUrl sbpPayload } errors { code field message } } }"""
PAYMENT = "query($id: ID!) { payment(id: $id) { id status paidAt } }"
ACCOUNT_QUERY = """query { account(number: "66200000000") { number statement { totalToPay } } }"""
STATUS_SUB = "subscription($id: ID!) { paymentStatus(id: $id) { id status } }"
FINAL = {"SUCCEEDED", "FAILED", "CANCELED", "EXPIRED", "REFUNDED"}


class Check:
    """Collects named PASS/FAIL results and prints the summary."""

    def __init__(self) -> None:
        self.results: list[tuple[str, bool, str]] = []

    def __call__(self, name: str, ok: bool, detail: str = "") -> bool:
        self.results.append((name, bool(ok), detail))
        print(f"  [{'PASS' if ok else 'FAIL'}] {name}{': ' + detail if detail else ''}", flush=True)
        return bool(ok)

    def summary(self, title: str) -> int:
        failed = [r for r in self.results if not r[1]]
        print(
            f"\n{title}: {'FAIL' if failed else 'PASS'} "
            f"({len(self.results) - len(failed)}/{len(self.results)} checks passed)"
        )
        for name, _, detail in failed:
            print(f"  failed: {name} {detail}")
        return 1 if failed else 0


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- processes -----------------------------------------------------------------------------


def start_process(
    command: list[str], env: dict[str, str] | None, logfile: Path
) -> subprocess.Popen:
    return harness.start(command, env, logfile, append=True)


def server_env(port: int, database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LK_")}
    env.update(
        LK_ENV="development",
        LK_HOST="127.0.0.1",
        LK_PORT=str(port),
        LK_PUBLIC_URL=f"http://127.0.0.1:{port}",
        LK_DATABASE_URL=database_url,
        LK_SECRET_KEY=SECRET,
        LK_DEMO_DATA="true",
        LK_CAPTCHA="disabled",
        LK_ARGON2_PROFILE="fast",
        LK_WORKERS="1",
        LK_LOG_FORMAT="text",
        LK_ACCESS_LOG="false",
    )
    env.update(extra)
    return env


def start_server(port: int, env: dict[str, str], logfile: Path) -> subprocess.Popen:
    return start_process([PYTHON, "server.py"], env, logfile)


async def wait_http(url: str, process: subprocess.Popen, timeout: float = 60) -> float:
    """Until GET url answers (any status); returns the seconds waited."""
    started = time.monotonic()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
        while True:
            if process.poll() is not None:
                raise SystemExit(f"{url}: the server exited with {process.returncode}")
            try:
                async with http.get(url) as response:
                    await response.read()
                    return time.monotonic() - started
            except (TimeoutError, aiohttp.ClientError):
                pass
            if time.monotonic() - started > timeout:
                raise SystemExit(f"{url}: not answering after {timeout} s")
            await asyncio.sleep(0.2)


async def fresh_database(server: str) -> tuple[str, str]:
    """Creates an empty database on a PostgreSQL server; returns (name, url)."""
    name = f"faults_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(f"{server}/postgres")
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return name, f"{server}/{name}"


async def drop_database(server: str, name: str) -> None:
    conn = await asyncpg.connect(f"{server}/postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


# --- the customer's steps ------------------------------------------------------------------


@dataclass
class Api:
    base: str
    http: aiohttp.ClientSession
    token: str = ""
    timeout: float = 15

    async def gql(self, query: str, variables: dict | None = None) -> tuple[int, dict]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        async with self.http.post(
            f"{self.base}/graphql",
            json={"query": query, "variables": variables or {}},
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=self.timeout),
        ) as response:
            try:
                body = await response.json(content_type=None)
            except ValueError:
                body = {"_raw": (await response.text())[:200]}
            return response.status, body

    async def login(self, login: str = "Ivan", password: str = "Ivan12345") -> str:
        _status, body = await self.gql(LOGIN, {"l": login, "p": password})
        self.token = body["data"]["login"]["accessToken"]
        assert self.token, body
        return self.token

    async def create_payment(self, method: str, amount: str, key: str | None = None) -> dict:
        status, body = await self.gql(
            CREATE,
            {
                "input": {
                    "accountNumber": ACCOUNT,
                    "method": method,
                    "lines": [{"serviceCode": "ELECTRICITY", "amount": amount}],
                    "totalConfirmed": True,
                    "receiptEmail": "ivan@example.ru",
                    "idempotencyKey": key or uuid.uuid4().hex,
                }
            },
        )
        payload = (body.get("data") or {}).get("createPayment")
        if not payload or payload["errors"] or not payload["payment"]:
            raise RuntimeError(f"createPayment: HTTP {status} {body}")
        return payload["payment"]

    async def payment_status(self, payment_id: str) -> str | None:
        _, body = await self.gql(PAYMENT, {"id": payment_id})
        payment = (body.get("data") or {}).get("payment")
        return payment and payment["status"]

    async def pay_card(self, confirmation_url: str, *, decline: bool = False) -> None:
        number = "4000000000000002" if decline else "4111111111111111"
        # Opened like a browser: a customer coming back finds the step where they left off.
        async with self.http.get(confirmation_url) as response:
            page = await response.text()
        if 'name="number"' in page:
            form = {"number": number, "expiry": "12/30", "cvc": "123"}
            async with self.http.post(confirmation_url, data=form) as response:
                page = await response.text()
        if decline:
            return
        match = re.search(r'id="code">(\d+)<', page)
        if not match:
            raise RuntimeError(f"no 3-D Secure code on the card page: {page[:200]}")
        async with self.http.post(f"{confirmation_url}/3ds", data={"code": match[1]}) as r:
            await r.read()

    async def pay_sbp(self, payload: str, *, reject: bool = False, deliver: bool = True) -> None:
        body = {
            "payload": payload,
            "outcome": "reject" if reject else "success",
            "deliverCallback": deliver,
        }
        async with self.http.post(f"{self.base}/sandbox/sbp/pay", json=body) as response:
            if response.status != 200:
                raise RuntimeError(f"sbp pay: {response.status} {await response.text()}")

    async def health(self) -> tuple[int, Any]:
        async with self.http.get(
            f"{self.base}/healthz", timeout=aiohttp.ClientTimeout(total=10)
        ) as response:
            return response.status, await response.json(content_type=None)


@dataclass
class Subscriber:
    """One paymentStatus subscription; records every status it is sent with the time."""

    payment_id: str
    ws: aiohttp.ClientWebSocketResponse
    seen: list[tuple[float, str]] = field(default_factory=list)
    closed: str | None = None
    task: asyncio.Task | None = None

    @property
    def last(self) -> str | None:
        return self.seen[-1][1] if self.seen else None

    async def read(self) -> None:
        try:
            async for message in self.ws:
                if message.type != aiohttp.WSMsgType.TEXT:
                    continue
                data = message.json()
                if data["type"] == "ping":
                    await self.ws.send_json({"type": "pong"})
                elif data["type"] == "next":
                    payment = (data["payload"].get("data") or {}).get("paymentStatus")
                    if payment:
                        self.seen.append((time.monotonic(), payment["status"]))
                elif data["type"] in ("error", "complete"):
                    self.closed = data["type"]
                    return
            self.closed = f"socket closed {self.ws.close_code}"
        except Exception as error:
            self.closed = repr(error)


async def subscribe(api: Api, payment_id: str) -> Subscriber:
    ws = await api.http.ws_connect(
        f"{api.base}/graphql", protocols=("graphql-transport-ws",), heartbeat=None
    )
    await ws.send_json(
        {"type": "connection_init", "payload": {"Authorization": f"Bearer {api.token}"}}
    )
    ack = await ws.receive_json(timeout=10)
    assert ack["type"] == "connection_ack", ack
    await ws.send_json(
        {
            "id": "1",
            "type": "subscribe",
            "payload": {"query": STATUS_SUB, "variables": {"id": payment_id}},
        }
    )
    subscriber = Subscriber(payment_id, ws)
    subscriber.task = asyncio.create_task(subscriber.read())
    return subscriber


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
