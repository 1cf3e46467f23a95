"""The one base of both GraphQL views (/graphql in server.py, /integration/graphql in
routes/integration.py): what they share is written once here.

- JSON: orjson both ways; bodies and websocket messages that are JSON but not an object are
  bad requests (routes/websockets.py says why).
- Websockets: graphql-transport-ws only, messages bounded like bodies (LK_MAX_BODY_BYTES), a
  context per operation (`operation_context`) and a SessionWatch per connection.
- Credentials on a websocket: `authorization` (or `Authorization`) in connection_init's payload,
  read here; each view says in `authorize_connection` what the value must be (a bearer token,
  an API key). Without it the connection is anonymous, as an HTTP request without the header.
- GraphiQL served offline (routes/graphiql.py), not in production.
"""

from __future__ import annotations

import abc
from typing import Any, Protocol, Self, TypeVar

import orjson
from aiohttp import web
from cross_web import HTTPException
from strawberry.aiohttp.views import GraphQLView
from strawberry.http import GraphQLHTTPResponse
from strawberry.http.types import QueryParams
from strawberry.schema import BaseSchema
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from infra.runtime import Runtime
from routes.graphiql import OfflineGraphiQL
from routes.keys import RUNTIME
from routes.websockets import (
    NOT_AN_OBJECT,
    WATCH_KEY,
    ObjectMessages,
    SessionAwareTransportWS,
    SessionWatch,
)
from settings import Settings


class ViewContext(Protocol):
    """What the base view needs of a GraphQL context."""

    request: web.Request
    response: web.StreamResponse | None
    rt: Runtime
    connection_params: dict[str, Any] | None


ContextT = TypeVar("ContextT", bound=ViewContext)


class GraphQLEndpoint(OfflineGraphiQL, GraphQLView[ContextT, None]):
    websocket_adapter_class = ObjectMessages
    graphql_transport_ws_handler_class: type[SessionAwareTransportWS[ContextT, None]] = (
        SessionAwareTransportWS
    )

    @classmethod
    def for_settings(cls, schema: BaseSchema, settings: Settings) -> Self:
        return cls(
            schema=schema,
            graphql_ide=None if settings.env == "production" else "graphiql",
            subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
            allowed_origins=settings.allowed_origins,
        )

    # --- JSON

    def encode_json(self, data: object) -> str:
        # Text: websocket messages must go out as text frames (graphql-transport-ws).
        return orjson.dumps(data).decode()

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: web.Response,
    ) -> web.Response:
        # The bytes as they are (Strawberry's version decodes them to str and aiohttp encodes
        # them again).
        sub_response.body = orjson.dumps(response_data)
        sub_response.content_type = "application/json"
        return sub_response

    def parse_json(self, data: str | bytes) -> Any:
        parsed = super().parse_json(data)
        if not isinstance(parsed, dict | list):
            raise HTTPException(400, NOT_AN_OBJECT)
        return parsed

    def parse_query_params(self, params: QueryParams) -> dict[str, Any]:
        """GET: `variables=null` is as good as none, so the query string's values are read
        with Strawberry's own parse_json (Strawberry then checks their types)."""
        parsed: dict[str, Any] = dict(params)
        for key in ("variables", "extensions"):
            if parsed.get(key):
                parsed[key] = super().parse_json(parsed[key])
        return parsed

    # --- websockets

    async def create_websocket_response(
        self, request: web.Request, subprotocol: str | None
    ) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(
            protocols=[subprotocol] if subprotocol else [],
            max_msg_size=request.app[RUNTIME].settings.max_body_bytes,
        )
        await ws.prepare(request)
        # Sent with the 101 answer and never read again: not kept for the connection's life
        # (~1.6 KB each, thousands open at once; docs/perf.md, Round 4).
        ws.headers.clear()
        return ws

    async def on_ws_connect(self, context: ContextT) -> None:
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        value = params.get("authorization") or params.get("Authorization")
        if value is None:
            return None
        # A value that is not a string is refused like a wrong one.
        await self.authorize_connection(context, value if isinstance(value, str) else "")
        return None

    @abc.abstractmethod
    async def authorize_connection(self, context: ContextT, authorization: str) -> None:
        """Checks the connection's credentials and sets them on the context (and starts its
        SessionWatch); raises ConnectionRejectionError when they do not hold."""

    async def operation_context(self, context: ContextT) -> ContextT:
        """The context of one websocket operation; the view says how it is renewed."""
        return context

    async def watch_session(self, request: web.Request, watch: SessionWatch) -> None:
        """Starts watching the connection's credentials (from authorize_connection)."""
        request[WATCH_KEY] = watch
        await watch.start()
