"""/integration/graphql: the integration schema and its GraphiQL, for systems (billing, the
operators' dashboard). Authenticates with `Authorization: ApiKey <key>` (on websockets, also
`authorization` in connection_init); customer tokens are not keys and are never accepted."""

from __future__ import annotations

import dataclasses
from typing import Any

from aiohttp import web
from strawberry.exceptions import ConnectionRejectionError

import models
from infra.runtime import Runtime
from resolvers.integration import IntegrationContext
from routes.graphql_view import GraphQLEndpoint
from routes.keys import RUNTIME
from routes.websockets import KEY_REVOKED, SessionWatch
from schema.integration import build_integration_schema
from schema.query_limits import GraphQLLimits
from services.identity import revocation
from services.integration import api_keys
from settings import Settings

PATH = "/integration/graphql"
# The key a websocket connected with, checked again before each of its operations.
KEY_SECRET = web.RequestKey("api_key_secret", str)


class IntegrationGraphQLView(GraphQLEndpoint[IntegrationContext]):
    async def get_context(
        self, request: web.Request, response: web.Response | web.WebSocketResponse
    ) -> IntegrationContext:
        key = api_keys.api_key_from_header(request.headers.get("Authorization"))
        return IntegrationContext(
            request=request,
            response=response,
            rt=request.app[RUNTIME],
            api_key=await api_keys.authenticate(key),
        )

    async def authorize_connection(self, context: IntegrationContext, authorization: str) -> None:
        secret = api_keys.api_key_from_header(authorization)
        key = await api_keys.authenticate(secret)
        if key is None or secret is None:
            raise ConnectionRejectionError({"message": "Ключ API не действует."})
        context.api_key = key
        context.request[KEY_SECRET] = secret
        if isinstance(context.response, web.WebSocketResponse):
            await self.watch_session(
                context.request, _key_watch(context.response, context.rt, key, secret)
            )

    async def operation_context(self, context: IntegrationContext) -> IntegrationContext:
        """Each operation checks the connection's key again: a key revoked meanwhile (by
        cli.py, on any process) acts no more."""
        secret = context.request.get(KEY_SECRET)
        if secret is None:
            return context
        return dataclasses.replace(context, api_key=await api_keys.authenticate(secret))


def _key_watch(
    ws: web.WebSocketResponse, rt: Runtime, key: models.ApiKey, secret: str
) -> SessionWatch:
    def judge(message: dict[str, Any]) -> str | None:
        return KEY_REVOKED if message.get("type") == revocation.API_KEY_REVOKED else None

    async def check() -> str | None:
        return None if await api_keys.authenticate(secret) is not None else KEY_REVOKED

    return SessionWatch(
        ws=ws,
        rt=rt,
        channel=revocation.api_key_channel(key.id),
        judge=judge,
        check=check,
    )


def integration_limits(settings: Settings) -> GraphQLLimits:
    """The customer limits, but lists long enough that a bulk call of more than
    LK_INTEGRATION_MAX_ITEMS items gets the operation's own typed refusal."""
    limits = GraphQLLimits.from_settings(settings)
    size = max(limits.max_list_size, 2 * settings.integration_max_items)
    return dataclasses.replace(limits, max_list_size=size)


def setup(app: web.Application) -> None:
    settings = app[RUNTIME].settings
    schema = build_integration_schema(
        production=settings.env == "production", limits=integration_limits(settings)
    )
    app.router.add_route("*", PATH, IntegrationGraphQLView.for_settings(schema, settings))
