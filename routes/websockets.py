"""Websocket messages bounded like request bodies (LK_MAX_BODY_BYTES); aiohttp's own default
for websockets is 4 MiB whatever the HTTP limit says."""

from __future__ import annotations

from aiohttp import web

from routes.keys import RUNTIME


class BoundedWebSockets:
    """Mixin for Strawberry's aiohttp GraphQLView (before the Strawberry class)."""

    async def create_websocket_response(
        self, request: web.Request, subprotocol: str | None
    ) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(
            protocols=[subprotocol] if subprotocol else [],
            max_msg_size=request.app[RUNTIME].settings.max_body_bytes,
        )
        await ws.prepare(request)
        return ws
