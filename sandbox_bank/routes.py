"""The emulator over HTTP, a group of routes under /sandbox:

- POST /sandbox/api/orders, GET /sandbox/api/orders/{id}, POST /sandbox/api/orders/{id}/cancel:
  the acquirer's API, called by adapters/acquirers/sandbox.py, signed with LK_SANDBOX_SECRET;
- POST /sandbox/api/orders/{id}/refund `{"amount": kopecks}` (optional: all that is left): the
  bank's operator refunding a paid order, signed the same way; the signed callback follows;
- GET/POST /sandbox/pay/{id} and POST /sandbox/pay/{id}/3ds: the card page and its 3-DS step;
- POST /sandbox/sbp/pay: the customer's bank app paying an SBP link.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import orjson
from aiohttp import web

from adapters.acquirers import CallbackRejected
from adapters.acquirers.sandbox import SIGNATURE_HEADER, verify_signature
from infra.runtime import Runtime
from routes.keys import RUNTIME
from sandbox_bank import orders, payer
from sandbox_bank.callbacks import schedule_callback
from sandbox_bank.orders import SandboxRefused
from sandbox_bank.pages import not_found, render
from sandbox_bank.payer import CardResult, CardStep


def _runtime(request: web.Request) -> Runtime:
    return request.config_dict[RUNTIME]


async def api_open(request: web.Request) -> web.Response:
    data = await _signed_json(request)
    return await _answer(orders.open_order(_runtime(request), data))


async def api_state(request: web.Request) -> web.Response:
    await _signed_json(request)
    return await _answer(orders.order_state(request.match_info["id"]))


async def api_cancel(request: web.Request) -> web.Response:
    await _signed_json(request)
    return await _answer(orders.cancel_order(request.match_info["id"]))


async def api_refund(request: web.Request) -> web.Response:
    rt = _runtime(request)
    data = await _signed_json(request)
    answer = await _answer(orders.refund_order(request.match_info["id"], data))
    if answer.status == 200:
        await schedule_callback(rt, request.match_info["id"])
    return answer


async def sbp_pay(request: web.Request) -> web.Response:
    try:
        data = orjson.loads(await request.read())
    except orjson.JSONDecodeError:
        return web.json_response({"error": "not JSON"}, status=400)
    return await _answer(payer.pay_sbp(_runtime(request), data))


async def card_page(request: web.Request) -> web.Response:
    try:
        order = await payer.card_order(request.match_info["id"])
    except SandboxRefused:
        return not_found()
    if order.status == "3DS_CHECKING":
        return render(CardResult(CardStep.THREE_DS, order))
    if order.status != "NEW":
        return render(CardResult(CardStep.DONE, order))
    return render(CardResult(CardStep.FORM, order))


async def card_submit(request: web.Request) -> web.Response:
    form = await request.post()
    try:
        result = await payer.submit_card(
            _runtime(request),
            request.match_info["id"],
            number=str(form.get("number", "")),
            expiry=str(form.get("expiry", "")),
            cvc=str(form.get("cvc", "")),
        )
    except SandboxRefused:
        return not_found()
    return render(result)


async def card_3ds(request: web.Request) -> web.Response:
    form = await request.post()
    try:
        result = await payer.confirm_3ds(
            _runtime(request), request.match_info["id"], code=str(form.get("code", ""))
        )
    except SandboxRefused:
        return not_found()
    return render(result)


async def _signed_json(request: web.Request) -> object:
    body = await request.read()
    try:
        verify_signature(
            _runtime(request).settings.sandbox_secret,
            request.headers.get(SIGNATURE_HEADER),
            body,
        )
    except CallbackRejected:
        raise web.HTTPForbidden(text="bad signature") from None
    try:
        return orjson.loads(body) if body else {}
    except orjson.JSONDecodeError:
        raise web.HTTPBadRequest(text="not JSON") from None


async def _answer(call: Awaitable[dict[str, Any]]) -> web.Response:
    try:
        return web.json_response(await call)
    except SandboxRefused as error:
        return web.json_response({"error": str(error)}, status=error.status)


def add_routes(app: web.Application, prefix: str) -> None:
    """The emulator's routes, under `prefix` (/sandbox). Added to the app itself rather than a
    sub-application: the app's response hooks (routes/middleware.py) read the app's own keys."""
    app.router.add_post(f"{prefix}/api/orders", api_open)
    app.router.add_get(f"{prefix}/api/orders/{{id}}", api_state)
    app.router.add_post(f"{prefix}/api/orders/{{id}}/cancel", api_cancel)
    app.router.add_post(f"{prefix}/api/orders/{{id}}/refund", api_refund)
    app.router.add_get(f"{prefix}/pay/{{id}}", card_page)
    app.router.add_post(f"{prefix}/pay/{{id}}", card_submit)
    app.router.add_post(f"{prefix}/pay/{{id}}/3ds", card_3ds)
    app.router.add_post(f"{prefix}/sbp/pay", sbp_pay)
