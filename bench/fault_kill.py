"""Fault: the server killed with SIGKILL while payments are in flight, then started again.

Starts one server process on a fresh PostgreSQL database (LK_PAYMENT_RECONCILE_AFTER_MINUTES=0
for the run, so the start-up reconciliation asks the sandbox about every PENDING payment). Runs
--payments customer journeys concurrently (card and SBP alternately): createPayment with an
idempotency key, then pay on the sandbox (card page + 3-D Secure code, or the SBP bank app),
to succeed, to be declined, or left unpaid. After --kill-after journeys have finished the
server is killed with SIGKILL (its whole process group), so requests, callbacks and the
sandbox's in-memory callback retries are lost mid-way. The script then counts, in the database,
the orders the bank (the sandbox) settled whose payment is still PENDING (callbacks lost by the
kill), starts the server again and lets every interrupted customer retry from the start
(the same idempotency key). Then every payment must reach its right status (the bank's), with
no payment paid twice: one applied SUCCEEDED event per paid payment, the statement credited once
per paid payment, one receipt e-mail per paid payment in the outbox.

    .venv/bin/python bench/fault_kill.py [--payments 40] [--kill-after 12] [--concurrency 8]

Prints PASS/FAIL per check and a summary; exit status 1 on any FAIL.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
import asyncpg

from bench.faults_common import (
    Api,
    Check,
    drop_database,
    fresh_database,
    log,
    server_env,
    start_server,
    wait_http,
)
from bench.harness import stop as stop_process

CREATED_PATIENCE = 40  # seconds a retrying customer keeps pressing «Оплатить»
BANK = {"CONFIRMED": "SUCCEEDED", "REJECTED": "FAILED", "CANCELED": "CANCELED"}


@dataclass
class Journey:
    index: int
    method: str
    outcome: str  # success, decline, unpaid
    amount: str
    key: str
    payment_id: str | None = None
    done: bool = False
    error: str | None = None
    created_answers: int = 0

    @property
    def expected(self) -> str:
        return {"success": "SUCCEEDED", "decline": "FAILED", "unpaid": "PENDING"}[self.outcome]


async def journey(api: Api, j: Journey, *, retry: bool = False) -> None:
    payment = await api.create_payment(j.method, j.amount, key=j.key)
    j.payment_id = payment["id"]
    # A payment whose registration a killed server cut off comes back CREATED, with nothing to
    # pay, until the server registers it again (20 s on): the customer presses «Оплатить» again.
    deadline = time.monotonic() + (CREATED_PATIENCE if retry else 0)
    while payment["status"] == "CREATED" and time.monotonic() < deadline:
        j.created_answers += 1
        await asyncio.sleep(2)
        payment = await api.create_payment(j.method, j.amount, key=j.key)
    if payment["status"] == "CREATED":
        raise RuntimeError("createPayment answered a CREATED payment with nothing to pay")
    if j.outcome != "unpaid" and payment["status"] == "PENDING":
        try:
            if payment["confirmationUrl"]:
                await api.pay_card(payment["confirmationUrl"], decline=j.outcome == "decline")
            else:
                await api.pay_sbp(payment["sbpPayload"], reject=j.outcome == "decline")
        except RuntimeError:
            # After a crash the customer may retry a step the bank already took: fine then.
            if not retry:
                raise
    j.done = True


async def run_journeys(
    api: Api, journeys: list[Journey], concurrency: int, kill_after: int | None, on_kill
) -> None:
    gate = asyncio.Semaphore(concurrency)
    finished = 0
    killed = asyncio.Event()

    async def one(j: Journey) -> None:
        nonlocal finished
        if killed.is_set():
            return
        async with gate:
            if killed.is_set():
                return
            try:
                await journey(api, j, retry=kill_after is None)
            except Exception as error:
                j.error = repr(error)[:200]
                return
            finished += 1
            if kill_after is not None and finished == kill_after and not killed.is_set():
                killed.set()
                on_kill()

    await asyncio.gather(*(one(j) for j in journeys))


async def run(args: argparse.Namespace) -> int:
    check = Check()
    workdir = Path(tempfile.mkdtemp(prefix="fault-kill-"))
    log(f"logs in {workdir}")
    db_name, db_url = await fresh_database(args.database_server)
    env = server_env(
        args.port,
        db_url,
        LK_PAYMENT_RECONCILE_AFTER_MINUTES=str(args.reconcile_minutes),
        LK_OUTBOX_POLL_SECONDS="3600",  # keep the receipts in the outbox, to count them
    )
    base = f"http://127.0.0.1:{args.port}"
    server = start_server(args.port, env, workdir / "server.log")
    db = None
    try:
        await wait_http(f"{base}/healthz", server)
        db = await asyncpg.connect(db_url)
        total_before = await db.fetchval(
            "SELECT s.total_to_pay FROM statement s JOIN account a ON a.id = s.account_id"
            " WHERE a.number = '66200000000' ORDER BY s.period DESC LIMIT 1"
        )
        journeys = []
        for i in range(args.payments):
            outcome = "unpaid" if i % 5 == 4 else "decline" if i % 7 == 3 else "success"
            method = "CARD" if i % 2 == 0 else "SBP"
            journeys.append(
                Journey(i, method, outcome, f"{50 + i}.{i % 100:02d}", uuid.uuid4().hex)
            )

        async with aiohttp.ClientSession() as http:
            api = Api(base, http, timeout=args.timeout)
            await api.login()
            killed_at = 0.0

            def kill() -> None:
                nonlocal killed_at
                log(f"SIGKILL to the server (pid {server.pid}) after {args.kill_after} journeys")
                stop_process(server, signal.SIGKILL)
                killed_at = time.monotonic()

            started = time.monotonic()
            await run_journeys(api, journeys, args.concurrency, args.kill_after, kill)
            interrupted = [j for j in journeys if not j.done]
            errors = [j for j in journeys if j.error]
            log(
                f"before the kill: {sum(j.done for j in journeys)} journeys done, "
                f"{len(errors)} failed mid-way, {len(interrupted) - len(errors)} not started"
            )
            lost = await db.fetch(
                "SELECT p.id, p.status, o.status AS bank FROM payment p"
                " JOIN sandbox_order o ON o.id = p.provider_payment_id"
                " WHERE p.status = 'PENDING' AND o.status IN ('CONFIRMED', 'REJECTED')"
            )
            created = await db.fetchval("SELECT count(*) FROM payment WHERE status = 'CREATED'")
            log(
                f"after the kill: {len(lost)} payments settled at the bank but PENDING here "
                f"(callbacks lost), {created} payments CREATED (registration interrupted)"
            )

            log("starting the server again")
            server = start_server(args.port, env, workdir / "server.log")
            restart = await wait_http(f"{base}/healthz", server)
            restarted_at = time.monotonic()
            log(f"answering again {restart:.1f} s after the start")
            await api.login()
            await run_journeys(api, interrupted, args.concurrency, None, lambda: None)
            still = [j for j in interrupted if not j.done]
            waited = [j for j in interrupted if j.created_answers]
            log(
                f"retries: {len(waited)} customers were answered CREATED (nothing to pay) "
                f"{sum(j.created_answers for j in waited)} times before the payment was registered again"
            )
            check(
                "every interrupted customer could retry (same idempotency key) to the end",
                not still,
                "; ".join(f"#{j.index} {j.method} {j.error}" for j in still[:5]),
            )

            # Wait for every payment to reach its status (callbacks and reconciliation).
            deadline = time.monotonic() + args.settle_timeout
            ids = {j.payment_id: j for j in journeys if j.payment_id}
            rows: dict = {}
            while time.monotonic() < deadline:
                rows = {
                    str(r["id"]): r["status"]
                    for r in await db.fetch(
                        "SELECT id, status FROM payment WHERE id = ANY($1::uuid[])", list(ids)
                    )
                }
                if all(rows.get(pid) == j.expected for pid, j in ids.items()):
                    break
                await asyncio.sleep(0.5)
            settled_after = time.monotonic() - restarted_at
            wrong = {
                pid: (rows.get(pid), j.expected)
                for pid, j in ids.items()
                if rows.get(pid) != j.expected
            }
            check(
                "every payment reached its right status",
                len(ids) == args.payments and not wrong,
                f"{len(ids) - len(wrong)}/{args.payments} within {settled_after:.1f} s of the restart"
                + (f"; wrong: {list(wrong.items())[:5]}" if wrong else ""),
            )
            bank = {
                str(r["order_id"]): r["status"]
                for r in await db.fetch("SELECT order_id, status FROM sandbox_order")
            }
            disagree = [
                pid for pid, st in rows.items() if BANK.get(bank.get(pid, ""), "PENDING") != st
            ]
            check(
                "every payment agrees with the bank (sandbox order)",
                not disagree,
                str(disagree[:5]),
            )
            extra = (
                await db.fetchval("SELECT count(*) FROM payment WHERE channel = 'cabinet'")
                - args.payments
            )
            check("no extra payment was made by the retries", extra == 0, f"{extra} extra")

            paid = [pid for pid, st in rows.items() if st == "SUCCEEDED"]
            applied = {
                str(r["payment_id"]): r["n"]
                for r in await db.fetch(
                    "SELECT payment_id, count(*) AS n FROM payment_event"
                    " WHERE outcome = 'applied' AND provider_status = 'CONFIRMED' GROUP BY payment_id"
                )
            }
            check(
                "one applied success event per paid payment",
                sorted(applied) == sorted(paid) and all(n == 1 for n in applied.values()),
                f"{len(paid)} paid, events {sorted(set(applied.values()))}",
            )
            receipts = await db.fetch(
                "SELECT substring(body from 'Номер платежа: ([0-9a-f-]+)') AS pid, count(*) AS n"
                " FROM outgoing_message WHERE subject LIKE 'Оплата по лицевому счёту%' GROUP BY 1"
            )
            counts = {r["pid"]: r["n"] for r in receipts}
            check(
                "one receipt e-mail per paid payment in the outbox",
                sorted(counts) == sorted(paid) and all(n == 1 for n in counts.values()),
                f"{sum(counts.values())} e-mails for {len(paid)} paid payments",
            )
            total_after = await db.fetchval(
                "SELECT s.total_to_pay FROM statement s JOIN account a ON a.id = s.account_id"
                " WHERE a.number = '66200000000' ORDER BY s.period DESC LIMIT 1"
            )
            paid_sum = sum((Decimal(ids[pid].amount) for pid in paid), Decimal(0))
            check(
                "the statement was credited once per paid payment",
                total_before - total_after == paid_sum,
                f"totalToPay {total_before} -> {total_after}, paid {paid_sum}",
            )
            print(
                f"\nfigures: {args.payments} payments ({len(paid)} paid), concurrency {args.concurrency}; "
                f"killed after {killed_at - started:.1f} s; {len(lost)} callbacks lost by the kill, "
                f"{created} payments left CREATED; server answering {restart:.1f} s after the "
                f"restart; every payment settled {settled_after:.1f} s after it (lost callbacks "
                f"settled by reconciliation: GetState, after {args.reconcile_minutes} min)"
            )
    finally:
        if db is not None:
            await db.close()
        stop_process(server)
        await drop_database(args.database_server, db_name)
    return check.summary("fault_kill")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--payments", type=int, default=40)
    parser.add_argument("--kill-after", type=int, default=12, help="journeys done before the kill")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--reconcile-minutes", type=int, default=0)
    parser.add_argument("--port", type=int, default=19110)
    parser.add_argument("--database-server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--timeout", type=float, default=15, help="per-request timeout, s")
    parser.add_argument("--settle-timeout", type=float, default=90)
    sys.exit(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
