"""Routes of the documents domain: GET /documents/<signed token>.pdf answers the PDF a link from
documentUrl names, GET /charts/<signed token>.svg (or .png) the consumption chart a link from
consumptionChartUrl names; either a short refusal (never the document) when the link is altered
or expired."""

from __future__ import annotations

from aiohttp import web

from routes.keys import RUNTIME
from services import documents
from services.charts import links as charts

REFUSALS = {
    "invalid": (403, "Ссылка недействительна. Получите новую ссылку в личном кабинете."),
    "expired": (410, "Срок действия ссылки истёк. Получите новую ссылку в личном кабинете."),
    "gone": (410, "Документ больше недоступен."),
    "limited": (429, "Слишком много документов и графиков за час. Попробуйте позже."),
}
SUFFIX = ".pdf"
PDF_TYPE = "application/pdf"
# Personal data: never kept by shared caches or the browser's disk cache.
HEADERS = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}


async def document(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    token = name.removesuffix(SUFFIX)
    try:
        if request.method == "HEAD":
            # Link checkers and mail scanners: whether the link works, without a drawing.
            await documents.check_link(request.app[RUNTIME], token)
            return _head(PDF_TYPE)
        found = await documents.open_link(request.app[RUNTIME], token)
    except documents.LinkRefused as refused:
        return _refusal(refused)
    return _answer(found)


async def chart(request: web.Request) -> web.StreamResponse:
    rt, name = request.app[RUNTIME], request.match_info["name"]
    try:
        if request.method == "HEAD":
            # Link checkers and mail scanners: whether the link works, without a drawing.
            chart_request, _ = await charts.check_link(rt, name)
            return _head(chart_request.picture.content_type)
        found = await charts.open_link(rt, name)
    except documents.LinkRefused as refused:
        return _refusal(refused)
    return _answer(found)


def _refusal(refused: documents.LinkRefused) -> web.Response:
    status, message = REFUSALS.get(refused.reason, REFUSALS["invalid"])
    return web.Response(status=status, text=message, headers={"Cache-Control": "no-store"})


def _head(content_type: str) -> web.Response:
    return web.Response(content_type=content_type, headers=HEADERS)


def _answer(found: documents.Document) -> web.Response:
    return web.Response(
        body=found.data,
        content_type=found.content_type,
        headers={"Content-Disposition": f'inline; filename="{found.filename}"', **HEADERS},
    )


def setup(app: web.Application) -> None:
    app.router.add_get("/documents/{name}", document)
    app.router.add_get("/charts/{name}", chart)
