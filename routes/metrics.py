"""GET /metrics: Prometheus text format (see services/metrics.py for what is measured)."""

from __future__ import annotations

import hmac

from aiohttp import web

from infra import metrics
from routes.keys import RUNTIME


async def metrics_page(request: web.Request) -> web.Response:
    rt = request.app[RUNTIME]
    # Payment counts are business data: with LK_METRICS_TOKEN set, the scraper must present it.
    if rt.settings.metrics_token:
        given = request.headers.get("Authorization", "")
        expected = f"Bearer {rt.settings.metrics_token}"
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise web.HTTPUnauthorized(headers={"WWW-Authenticate": "Bearer"})
    body = await metrics.scrape(rt)
    return web.Response(body=body, headers={"Content-Type": metrics.CONTENT_TYPE})


def setup(app: web.Application) -> None:
    app.router.add_get("/metrics", metrics_page)
