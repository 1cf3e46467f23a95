"""The sandbox acquirer's emulator over HTTP (mounted only with LK_PAYMENT_PROVIDER=sandbox):

- POST /sandbox/api/orders, GET /sandbox/api/orders/{id}, POST /sandbox/api/orders/{id}/cancel:
  the acquirer's API, called by adapters/acquirers/sandbox.py, signed with LK_SANDBOX_SECRET;
- GET/POST /sandbox/pay/{id} and POST /sandbox/pay/{id}/3ds: the card page and its 3-DS step;
- POST /sandbox/sbp/pay: the customer's bank app paying an SBP link.
"""

from __future__ import annotations

import base64
import hashlib
import html

import orjson
from aiohttp import web

from adapters.acquirers import CallbackRejected
from adapters.acquirers.sandbox import SIGNATURE_HEADER, verify_signature
from routes.keys import RUNTIME
from services import sandbox
from services.sandbox import CardResult, CardStep, SandboxRefused


async def api_open(request: web.Request) -> web.Response:
    data = await _signed_json(request)
    return await _answer(sandbox.open_order(request.app[RUNTIME], data))


async def api_state(request: web.Request) -> web.Response:
    await _signed_json(request)
    return await _answer(sandbox.order_state(request.match_info["id"]))


async def api_cancel(request: web.Request) -> web.Response:
    await _signed_json(request)
    return await _answer(sandbox.cancel_order(request.match_info["id"]))


async def sbp_pay(request: web.Request) -> web.Response:
    try:
        data = orjson.loads(await request.read())
    except orjson.JSONDecodeError:
        return web.json_response({"error": "not JSON"}, status=400)
    return await _answer(sandbox.pay_sbp(request.app[RUNTIME], data))


async def card_page(request: web.Request) -> web.Response:
    try:
        order = await sandbox.card_order(request.match_info["id"])
    except SandboxRefused:
        return _page("Заказ не найден", "<p>Такого заказа нет в песочнице.</p>", status=404)
    if order.status == "3DS_CHECKING":
        return _render(CardResult(CardStep.THREE_DS, order))
    if order.status != "NEW":
        return _render(CardResult(CardStep.DONE, order))
    return _render(CardResult(CardStep.FORM, order))


async def card_submit(request: web.Request) -> web.Response:
    form = await request.post()
    try:
        result = await sandbox.submit_card(
            request.app[RUNTIME],
            request.match_info["id"],
            number=str(form.get("number", "")),
            expiry=str(form.get("expiry", "")),
            cvc=str(form.get("cvc", "")),
        )
    except SandboxRefused:
        return _page("Заказ не найден", "<p>Такого заказа нет в песочнице.</p>", status=404)
    return _render(result)


async def card_3ds(request: web.Request) -> web.Response:
    form = await request.post()
    try:
        result = await sandbox.confirm_3ds(
            request.app[RUNTIME], request.match_info["id"], code=str(form.get("code", ""))
        )
    except SandboxRefused:
        return _page("Заказ не найден", "<p>Такого заказа нет в песочнице.</p>", status=404)
    return _render(result)


async def _signed_json(request: web.Request) -> object:
    body = await request.read()
    try:
        verify_signature(
            request.app[RUNTIME].settings.sandbox_secret,
            request.headers.get(SIGNATURE_HEADER),
            body,
        )
    except CallbackRejected:
        raise web.HTTPForbidden(text="bad signature") from None
    try:
        return orjson.loads(body) if body else {}
    except orjson.JSONDecodeError:
        raise web.HTTPBadRequest(text="not JSON") from None


async def _answer(call) -> web.Response:  # type: ignore[no-untyped-def]
    try:
        return web.json_response(await call)
    except SandboxRefused as error:
        return web.json_response({"error": str(error)}, status=error.status)


def _render(result: CardResult) -> web.Response:
    order = result.order
    amount = f"{order.amount_kopecks // 100}.{order.amount_kopecks % 100:02d} ₽"
    error = f'<p class="error">{html.escape(result.error)}</p>' if result.error else ""
    if result.step == CardStep.FORM:
        body = f"""<p>К оплате: <b>{amount}</b></p>{error}
<form method="post" action="/sandbox/pay/{order.id}">
<label>Номер карты <input name="number" inputmode="numeric" autocomplete="cc-number"></label>
<label>Срок действия (ММ/ГГ) <input name="expiry" autocomplete="cc-exp"></label>
<label>CVC <input name="cvc" inputmode="numeric" autocomplete="cc-csc"></label>
<button type="submit">Оплатить</button>
</form>
<p class="hint">Песочница: 4111 1111 1111 1111 — успешная оплата, 4000 0000 0000 0002 — отказ.</p>"""
        return _page("Оплата картой", body)
    if result.step == CardStep.THREE_DS:
        body = f"""<p>К оплате: <b>{amount}</b></p>{error}
<p>Введите одноразовый код из SMS (3-D Secure).</p>
<p class="hint">Песочница: код <b id="code">{html.escape(order.three_ds_code or "")}</b></p>
<form method="post" action="/sandbox/pay/{order.id}/3ds">
<label>Код <input name="code" inputmode="numeric" autocomplete="one-time-code"></label>
<button type="submit">Подтвердить</button>
</form>"""
        return _page("Подтверждение платежа", body)
    outcome = {
        "CONFIRMED": "Оплата прошла успешно.",
        "REJECTED": "Банк отклонил оплату.",
        "CANCELED": "Платёж отменён.",
    }.get(order.status, "Платёж обрабатывается.")
    back = (
        f'<p><a href="{html.escape(order.success_url)}">Вернуться в личный кабинет</a></p>'
        if order.success_url
        else ""
    )
    body = f'<p id="status" data-status="{order.status}">{outcome}</p><p>Сумма: {amount}</p>{back}'
    return _page("Результат оплаты", body)


_STYLE = """body{font-family:sans-serif;max-width:28em;margin:2em auto}label{display:block;margin:.5em 0}
.error{color:#b00}.hint{color:#666;font-size:.9em}"""
# The API's policy (form-action 'none', no styles) blocked the card form in browsers: the
# sandbox's pages post their forms to themselves and style themselves with one inline sheet.
PAGE_CSP = (
    "default-src 'none'; "
    f"style-src 'sha256-{base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()}'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def _page(title: str, body: str, status: int = 200) -> web.Response:
    document = f"""<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>{title} — песочница эквайера</title>
<style>{_STYLE}</style></head>
<body><h1>{title}</h1>{body}</body></html>"""
    return web.Response(
        text=document,
        content_type="text/html",
        status=status,
        headers={"Content-Security-Policy": PAGE_CSP},
    )


def setup(app: web.Application) -> None:
    app.router.add_post("/sandbox/api/orders", api_open)
    app.router.add_get("/sandbox/api/orders/{id}", api_state)
    app.router.add_post("/sandbox/api/orders/{id}/cancel", api_cancel)
    app.router.add_get("/sandbox/pay/{id}", card_page)
    app.router.add_post("/sandbox/pay/{id}", card_submit)
    app.router.add_post("/sandbox/pay/{id}/3ds", card_3ds)
    app.router.add_post("/sandbox/sbp/pay", sbp_pay)
