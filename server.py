"""The customer cabinet API server.

`python server.py` serves on the embedded default (SQLite, in-process broker, demo data,
GraphiQL) unless LK_* settings say otherwise. Tests build the same app with `create_app`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiohttp import web
from strawberry.aiohttp.views import GraphQLView
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from adapters.acquirers import create_acquirer
from adapters.broker import create_broker
from resolvers.context import Context, bearer_token
from routes import RUNTIME, setup_routes
from schema import build_schema
from services import auth, demo
from services.database import close_database, open_database
from services.runtime import Runtime
from settings import Settings

log = logging.getLogger("lk")


class CustomerGraphQLView(GraphQLView):
    """/graphql: Authorization: Bearer on HTTP, `authorization` in connection_init on websockets."""

    async def get_context(self, request: web.Request, response: Any) -> Context:  # type: ignore[override]
        return Context(
            request=request,
            response=response,
            rt=request.app[RUNTIME],
            token=bearer_token(request.headers.get("Authorization")),
        )

    async def on_ws_connect(self, context: Context) -> None:  # type: ignore[override]
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        value = params.get("authorization") or params.get("Authorization")
        if value is None:
            return None
        token = bearer_token(value) if isinstance(value, str) else None
        if token is None and isinstance(value, str) and " " not in value.strip():
            token = value.strip()
        if token is None or await auth.viewer_from_token(context.rt, token) is None:
            raise ConnectionRejectionError({"message": "Сеанс истёк. Войдите снова."})
        context.token = token
        context.reset_viewer()
        return None


def create_app(settings: Settings | None = None) -> web.Application:
    settings = settings or Settings()
    app = web.Application(client_max_size=1024 * 1024)
    runtime = Runtime.from_settings(
        settings, create_broker(settings.redis_url, prefix=settings.redis_prefix)
    )
    app[RUNTIME] = runtime
    app.cleanup_ctx.append(_database)
    app.cleanup_ctx.append(_broker)
    app.cleanup_ctx.append(_http_client)

    production = settings.env == "production"
    view = CustomerGraphQLView(
        schema=build_schema(production=production),
        graphql_ide="graphiql" if not production else None,
        subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
        allowed_origins=settings.allowed_origins,
    )
    app.router.add_route("*", "/graphql", view)
    setup_routes(app)
    return app


async def _database(app: web.Application) -> AsyncIterator[None]:
    rt = app[RUNTIME]
    await open_database(rt.settings.database_url, schema_mode=rt.settings.schema_mode)
    if rt.settings.demo_data and await demo.load_demo_data(rt):
        log.info("demo data loaded")
    yield
    for task in rt.tasks:
        task.cancel()
    await asyncio.gather(*rt.tasks, return_exceptions=True)
    await close_database()


async def _broker(app: web.Application) -> AsyncIterator[None]:
    rt = app[RUNTIME]
    await rt.broker.start()
    yield
    await rt.broker.stop()


async def _http_client(app: web.Application) -> AsyncIterator[None]:
    rt = app[RUNTIME]
    rt.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
    # The acquirer (LK_PAYMENT_PROVIDER) calls out through the app's session.
    rt.acquirer = create_acquirer(rt.settings, rt.http)
    yield
    await rt.http.close()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = Settings()
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvloop is optional on other platforms
        pass
    log.info("serving on http://%s:%s/graphql (%s)", settings.host, settings.port, settings.env)
    web.run_app(create_app(settings), host=settings.host, port=settings.port, print=None)


if __name__ == "__main__":
    main()
