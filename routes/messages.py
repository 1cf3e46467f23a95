"""Routes of the messages domain: GET /dev/outbox (development only). The transports and the
outbox sender are wired by the app factory (server.py)."""

from __future__ import annotations

from aiohttp import web

from routes.keys import RUNTIME
from services.messages import outbox

DEV_OUTBOX_LIMIT = 100


async def dev_outbox(request: web.Request) -> web.Response:
    """Development only: the outbox, newest first; `?to=` narrows it to one recipient."""
    rows = await outbox.recent_messages(limit=DEV_OUTBOX_LIMIT, to=request.query.get("to") or None)
    return web.json_response(rows)


def setup(app: web.Application) -> None:
    if app[RUNTIME].settings.is_development:
        app.router.add_get("/dev/outbox", dev_outbox)
