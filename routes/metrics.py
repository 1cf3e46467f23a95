"""GET /metrics: Prometheus text format (see services/metrics.py for what is measured)."""

from __future__ import annotations

from aiohttp import web

from routes.keys import RUNTIME
from services import metrics


async def metrics_page(request: web.Request) -> web.Response:
    body = await metrics.scrape(request.app[RUNTIME])
    return web.Response(body=body, headers={"Content-Type": metrics.CONTENT_TYPE})


def setup(app: web.Application) -> None:
    app.router.add_get("/metrics", metrics_page)
