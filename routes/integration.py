"""/integration/graphql: the integration schema and its GraphiQL, for systems (billing, the
operators' dashboard). Authenticates with `Authorization: ApiKey <key>` (on websockets, also
`authorization` in connection_init); customer tokens are not keys and are never accepted."""

from __future__ import annotations

import dataclasses
from typing import Any

from aiohttp import web
from strawberry.aiohttp.views import GraphQLView
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

import models
from resolvers.integration import IntegrationContext
from routes.graphiql import OfflineGraphiQL
from routes.keys import RUNTIME
from routes.websockets import KEY_REVOKED, BoundedWebSockets, SessionWatch
from schema.integration import build_integration_schema
from schema.security import GraphQLLimits
from services.identity import revocation
from services.integration import api_keys

PATH = "/integration/graphql"
# The key a websocket connected with, checked again before each of its operations.
KEY_SECRET = web.RequestKey("api_key_secret", str)


class IntegrationGraphQLView(OfflineGraphiQL, BoundedWebSockets, GraphQLView):
    async def get_context(self, request: web.Request, response: Any) -> IntegrationContext:  # type: ignore[override]
        key = api_keys.api_key_from_header(request.headers.get("Authorization"))
        return IntegrationContext(
            request=request,
            response=response,
            rt=request.app[RUNTIME],
            api_key=await api_keys.authenticate(key),
        )

    async def on_ws_connect(self, context: IntegrationContext) -> None:  # type: ignore[override]
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        value = params.get("authorization") or params.get("Authorization")
        if value is None:
            return None
        secret = api_keys.api_key_from_header(value) if isinstance(value, str) else None
        key = await api_keys.authenticate(secret)
        if key is None or secret is None:
            raise ConnectionRejectionError({"message": "Ключ API не действует."})
        context.api_key = key
        context.request[KEY_SECRET] = secret
        if isinstance(context.response, web.WebSocketResponse):
            await self.watch_session(context.request, _key_watch(context, key, secret))
        return None

    async def operation_context(self, context: IntegrationContext) -> IntegrationContext:  # type: ignore[override]
        """Each operation checks the connection's key again: a key revoked meanwhile (by
        cli.py, on any process) acts no more."""
        secret = context.request.get(KEY_SECRET)
        if secret is None:
            return context
        return dataclasses.replace(context, api_key=await api_keys.authenticate(secret))


def _key_watch(context: IntegrationContext, key: models.ApiKey, secret: str) -> SessionWatch:
    def judge(message: dict[str, Any]) -> str | None:
        return KEY_REVOKED if message.get("type") == revocation.API_KEY_REVOKED else None

    async def check() -> str | None:
        return None if await api_keys.authenticate(secret) is not None else KEY_REVOKED

    return SessionWatch(
        ws=context.response,  # type: ignore[arg-type]
        rt=context.rt,
        channel=revocation.api_key_channel(key.id),
        judge=judge,
        check=check,
    )


def integration_limits(settings: Any) -> GraphQLLimits:
    """The customer limits, but lists long enough that a bulk call of more than
    LK_INTEGRATION_MAX_ITEMS items gets the operation's own typed refusal."""
    limits = GraphQLLimits.from_settings(settings)
    size = max(limits.max_list_size, 2 * settings.integration_max_items)
    return dataclasses.replace(limits, max_list_size=size)


def setup(app: web.Application) -> None:
    settings = app[RUNTIME].settings
    production = settings.env == "production"
    view = IntegrationGraphQLView(
        schema=build_integration_schema(
            production=production, limits=integration_limits(settings)
        ),
        graphql_ide="graphiql" if not production else None,
        subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
        allowed_origins=settings.allowed_origins,
    )
    app.router.add_route("*", PATH, view)
