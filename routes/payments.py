"""Routes of the payments domain: the acquirers' callbacks, the page the customer returns to,
and the acquirer emulator's mount (with the sandbox provider). Reconciliation runs as a background
task started by the app factory (server.py)."""

from __future__ import annotations

import html
import logging
from decimal import Decimal
from pathlib import Path

from aiohttp import web

import sandbox_bank
from routes.keys import RUNTIME
from services.payments import events as payment_events
from services.payments.capability import payment_for_capability
from services.payments.events import EventOutcome
from services.payments.views import STATUS_TEXTS

log = logging.getLogger(__name__)
STATIC_URL = "/static/payments"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "payments"
# The return page runs its own script and opens a websocket to its own origin, and nothing else.
RETURN_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
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
    """GET /payments/return?paymentId=…&capability=…: where the acquirer sends the customer after
    paying. The capability (minted at creation, carried by the return URL) stands for a sign-in:
    the page shows the payment's amount and status, nothing personal, and its script follows the
    status live (paymentStatus with the capability, over graphql-transport-ws)."""
    rt = request.app[RUNTIME]
    payment_id = request.query.get("paymentId", "")
    capability = request.query.get("capability", "")
    payment = await payment_for_capability(rt, payment_id, capability)
    if payment is None:
        body = "<h1>Платёж не найден</h1><p>Ссылка неверна. Статус платежа — в личном кабинете.</p>"
        return _return_page(body, status=404)
    reason = payment.failure_reason or ""
    body = f"""<main id="payment" data-payment-id="{html.escape(str(payment.id))}" \
data-capability="{html.escape(capability)}" data-status="{payment.status.value}">
<h1>Оплата</h1>
<p>Сумма: <span class="amount" id="amount">{html.escape(rubles(payment.amount))}</span></p>
<p>Статус: <span class="status" id="status" aria-live="polite">\
{html.escape(STATUS_TEXTS[payment.status])}</span></p>
<p id="reason"{"" if reason else " hidden"}>{html.escape(reason)}</p>
<p class="hint" id="live"{" hidden" if payment.status in payment_events.FINAL else ""}>\
Статус обновится на этой странице сам, как только банк сообщит результат.</p>
<p class="hint">Платёж и квитанция — в личном кабинете, в истории платежей.</p>
</main>"""
    return _return_page(body)


def rubles(amount: Decimal) -> str:
    """1 300,00 ₽ (Russian: a space between thousands, a comma before kopecks)."""
    return f"{amount:,.2f}".replace(",", "\u00a0").replace(".", ",") + "\u00a0₽"


def _return_page(body: str, status: int = 200) -> web.Response:
    document = f"""<!doctype html>
<html lang="ru"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Оплата — личный кабинет</title>
<link rel="stylesheet" href="{STATIC_URL}/return.css">
<script src="{STATIC_URL}/return.js" defer></script></head>
<body>{body}</body></html>"""
    return web.Response(
        text=document,
        content_type="text/html",
        status=status,
        headers={"Content-Security-Policy": RETURN_CSP},
    )


def setup(app: web.Application) -> None:
    app.router.add_post("/payments/callback/{provider}", callback)
    app.router.add_get("/payments/return", returned)
    app.router.add_static(f"{STATIC_URL}/", STATIC_DIR, append_version=False)
    sandbox_bank.setup(app)
