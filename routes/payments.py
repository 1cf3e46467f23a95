"""Routes of the payments domain: the acquirers' callbacks, the page the customer returns to,
the reconciliation task, and (with the sandbox provider) the acquirer emulator."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from routes import sandbox
from routes.keys import RUNTIME
from services import payment_events
from services.payment_events import EventOutcome

log = logging.getLogger(__name__)
# Seconds between reconciliation passes (the first runs at start-up).
RECONCILE_INTERVAL = 60
TASK_PREFIXES = ("payments-", "sandbox-callback-")
_STATUS = {
    EventOutcome.APPLIED: 200,
    EventOutcome.DUPLICATE: 200,
    EventOutcome.IGNORED: 200,
    EventOutcome.MISMATCH: 422,
    EventOutcome.UNKNOWN: 404,
    EventOutcome.REJECTED: 403,
    EventOutcome.MALFORMED: 400,
}


async def callback(request: web.Request) -> web.Response:
    """POST /payments/callback/{provider}: `OK` for a processed or repeated callback (the
    acquirer stops retrying), 4xx for a forged, malformed or unknown one."""
    rt = request.app[RUNTIME]
    body = await request.read()
    try:
        outcome = await payment_events.handle_callback(
            rt, provider=request.match_info["provider"], headers=request.headers, body=body
        )
    except Exception:
        # The database is down or a bug: the acquirer will retry. Logged with the body's size
        # only (callbacks carry card data).
        log.exception("payments: callback failed (%d bytes)", len(body))
        return web.Response(status=503, text="retry later")
    status = _STATUS[outcome]
    text = rt.acquirer.callback_answer if status == 200 else outcome.value
    return web.Response(status=status, text=text)


async def returned(request: web.Request) -> web.Response:
    """Where the acquirer sends the customer after paying; the cabinet app shows the status."""
    return web.Response(
        text="<!doctype html><html lang='ru'><meta charset='utf-8'><title>Оплата</title>"
        "<p>Платёж обрабатывается. Вернитесь в личный кабинет: статус обновится сам.</p></html>",
        content_type="text/html",
    )


async def _reconcile_forever(app: web.Application) -> None:
    rt = app[RUNTIME]
    while True:
        try:
            counts = await payment_events.reconcile_once(rt)
            if any(counts.values()):
                log.info("payments: reconciliation %s", counts)
        except Exception:
            log.exception("payments: reconciliation pass failed")
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            # Cancelled during the pass, but a library swallowed the CancelledError: stop now
            # rather than sleep (the app's shutdown is waiting for this task).
            raise asyncio.CancelledError
        await asyncio.sleep(RECONCILE_INTERVAL)


async def _start_reconciliation(app: web.Application) -> None:
    rt = app[RUNTIME]
    if rt.settings.background_tasks:
        rt.tasks.append(asyncio.create_task(_reconcile_forever(app), name="payments-reconcile"))


async def _stop_tasks(app: web.Application) -> None:
    """Stops reconciliation and the sandbox's callback deliveries before the HTTP session and
    the database close under them."""
    pending = {t for t in app[RUNTIME].tasks if t.get_name().startswith(TASK_PREFIXES)}
    # Cancel again while any task lives on: a swallowed cancellation must not hang shutdown.
    while pending:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=1)


def setup(app: web.Application) -> None:
    app.router.add_post("/payments/callback/{provider}", callback)
    app.router.add_get("/payments/return", returned)
    app.on_startup.append(_start_reconciliation)
    app.on_shutdown.append(_stop_tasks)
    if app[RUNTIME].settings.payment_provider == "sandbox":
        sandbox.setup(app)
