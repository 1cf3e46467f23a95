"""The emulator's HTML pages: the card form, the 3-D Secure step and the result."""

from __future__ import annotations

import base64
import hashlib
import html

from aiohttp import web

from sandbox_bank.payer import CardResult, CardStep


def render(result: CardResult) -> web.Response:
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
        return page("Оплата картой", body)
    if result.step == CardStep.THREE_DS:
        body = f"""<p>К оплате: <b>{amount}</b></p>{error}
<p>Введите одноразовый код из SMS (3-D Secure).</p>
<p class="hint">Песочница: код <b id="code">{html.escape(order.three_ds_code or "")}</b></p>
<form method="post" action="/sandbox/pay/{order.id}/3ds">
<label>Код <input name="code" inputmode="numeric" autocomplete="one-time-code"></label>
<button type="submit">Подтвердить</button>
</form>"""
        return page("Подтверждение платежа", body)
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
    return page("Результат оплаты", body)


def not_found() -> web.Response:
    return page("Заказ не найден", "<p>Такого заказа нет в песочнице.</p>", status=404)


_STYLE = """body{font-family:sans-serif;max-width:28em;margin:2em auto}label{display:block;margin:.5em 0}
.error{color:#b00}.hint{color:#666;font-size:.9em}"""
# The API's policy (form-action 'none', no styles) blocked the card form in browsers: the
# sandbox's pages post their forms to themselves and style themselves with one inline sheet.
PAGE_CSP = (
    "default-src 'none'; "
    f"style-src 'sha256-{base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()}'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def page(title: str, body: str, status: int = 200) -> web.Response:
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
