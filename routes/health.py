"""GET /healthz: is the database (and Redis, when configured) answering."""

from __future__ import annotations

from aiohttp import web

from infra import health
from routes.keys import RUNTIME


async def healthz(request: web.Request) -> web.Response:
    checks = await health.check(request.app[RUNTIME])
    ok = all(v == "ok" for v in checks.values())
    return web.json_response(
        {"status": "ok" if ok else "fail", "checks": checks}, status=200 if ok else 503
    )


def setup(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
