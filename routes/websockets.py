"""What the GraphQL views take from the wire: JSON objects only, websocket messages bounded like
request bodies (LK_MAX_BODY_BYTES; aiohttp's own default for websockets is 4 MiB whatever the
HTTP limit says).

Strawberry reads any JSON value and then indexes it as an object: a body of `123`, `null`,
`"x"` or `true` answered HTTP 500, and such a websocket message ended the connection with a
traceback (so did a `subscribe` whose payload or query was not what the protocol says). Here a
body that is neither an object nor a list (a batch, which Strawberry refuses itself) answers
400, and such a websocket message closes the socket with graphql-transport-ws's 4400 (Bad
request).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from aiohttp import http, web
from cross_web import HTTPException
from strawberry.aiohttp.views import AiohttpWebSocketAdapter
from strawberry.http.exceptions import NonJsonMessageReceived, NonTextMessageReceived

from routes.keys import RUNTIME

NOT_AN_OBJECT = "The request body must be a JSON object"
MESSAGE_NOT_AN_OBJECT = "WebSocket message must be a JSON object"
BAD_SUBSCRIBE = "Invalid subscribe message"
BAD_REQUEST = 4400


def message_problem(message: object) -> str | None:
    """Why a graphql-transport-ws message cannot be handled, or None. Strawberry checks the
    rest (unknown types, connection_init payloads, duplicate ids)."""
    if not isinstance(message, dict):
        return MESSAGE_NOT_AN_OBJECT
    if message.get("type") == "subscribe":
        payload = message.get("payload")
        if not (
            isinstance(message.get("id"), str)
            and isinstance(payload, dict)
            and isinstance(payload.get("query"), str)
            and isinstance(payload.get("operationName"), str | None)
            and isinstance(payload.get("variables"), dict | None)
            and isinstance(payload.get("extensions"), dict | None)
        ):
            return BAD_SUBSCRIBE
    return None


class ObjectMessages(AiohttpWebSocketAdapter):
    """Strawberry's aiohttp websocket adapter, closing the socket on a message that is JSON but
    not an object (graphql-transport-ws: every message is an object with a `type`), or a
    `subscribe` whose payload is not the protocol's."""

    async def iter_json(self, *, ignore_parsing_errors: bool = False) -> AsyncGenerator[object]:
        async for ws_message in self.ws:
            if ws_message.type == http.WSMsgType.TEXT:
                try:
                    message = self.view.decode_json(ws_message.data)
                except ValueError as error:  # JSONDecodeError, orjson's included
                    if not ignore_parsing_errors:
                        raise NonJsonMessageReceived from error
                    continue
                problem = message_problem(message)
                if problem is not None:
                    await self.close(BAD_REQUEST, problem)
                    return
                yield message
            elif ws_message.type == http.WSMsgType.BINARY:
                raise NonTextMessageReceived


class JsonObjects:
    """Mixin for Strawberry's aiohttp GraphQLView: HTTP bodies and websocket messages that are
    JSON but not an object are refused as bad requests."""

    websocket_adapter_class = ObjectMessages

    def parse_json(self, data: str | bytes) -> Any:
        parsed = super().parse_json(data)  # type: ignore[misc]
        if not isinstance(parsed, dict | list):
            raise HTTPException(400, NOT_AN_OBJECT)
        return parsed

    def parse_query_params(self, params: Any) -> dict[str, Any]:
        """GET: `variables=null` is as good as none, so the query string's values are read
        with Strawberry's own parse_json (Strawberry then checks their types)."""
        parsed = dict(params)
        for key in ("variables", "extensions"):
            if parsed.get(key):
                parsed[key] = super().parse_json(parsed[key])  # type: ignore[misc]
        return parsed


class BoundedWebSockets(JsonObjects):
    """Mixin for Strawberry's aiohttp GraphQLView (before the Strawberry class); brings
    `JsonObjects` along, so that every GraphQL view of the app takes objects only."""

    async def create_websocket_response(
        self, request: web.Request, subprotocol: str | None
    ) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(
            protocols=[subprotocol] if subprotocol else [],
            max_msg_size=request.app[RUNTIME].settings.max_body_bytes,
        )
        await ws.prepare(request)
        return ws
