"""The customer cabinet API server.

`python server.py` serves on the embedded default (SQLite, in-process broker, demo data,
GraphiQL) unless LK_* settings say otherwise. Tests build the same app with `create_app`.

With LK_REDIS_URL set, `main` runs LK_WORKERS processes (one per core by default) that share
the port through SO_REUSEPORT: the parent applies migrations and loads demo data, then forks
the workers (before any event loop runs in them) and stops them all if one dies.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiohttp import web
from strawberry.exceptions import ConnectionRejectionError

from adapters.acquirers import create_acquirer
from adapters.broker import create_broker
from adapters.mail import create_mailer
from adapters.sms import create_sms_gateway
from devdata import demo
from infra import logs
from infra.database import close_database, open_database
from infra.runtime import Runtime
from resolvers.context import Context, bearer_token
from routes import RUNTIME, middleware, setup_routes
from routes.graphql_view import GraphQLEndpoint
from routes.websockets import CLOSE_UNAUTHORIZED, TOKEN_EXPIRED, customer_session_watch
from schema import build_schema
from schema.query_limits import GraphQLLimits
from services import clock
from services.ebill import delivery as ebill_delivery
from services.errors import ErrorCode
from services.identity import auth
from services.identity import housekeeping as identity_housekeeping
from services.messages.sender import run_sender
from services.payments import reconcile
from services.reminders import send as reminders
from settings import Settings

log = logging.getLogger("lk")

# Seconds between payment reconciliation passes (the first runs at start-up).
RECONCILE_INTERVAL = 60


class CustomerGraphQLView(GraphQLEndpoint[Context]):
    """/graphql: Authorization: Bearer on HTTP, `authorization` in connection_init on websockets."""

    async def get_context(
        self, request: web.Request, response: web.Response | web.WebSocketResponse
    ) -> Context:
        return Context(
            request=request,
            response=response,
            rt=request.app[RUNTIME],
            token=bearer_token(request.headers.get("Authorization")),
        )

    async def authorize_connection(self, context: Context, authorization: str) -> None:
        # "Bearer <token>", or the bare token.
        token = bearer_token(authorization)
        if token is None and " " not in authorization.strip():
            token = authorization.strip()
        found = await auth.check_token(context.rt, token) if token else None
        if token is None or not isinstance(found, auth.Viewer):
            if found is ErrorCode.TOKEN_EXPIRED and isinstance(
                context.response, web.WebSocketResponse
            ):
                # 4401: refresh the token and connect again (4403 below: sign in again).
                await context.response.close(
                    code=CLOSE_UNAUTHORIZED, message=TOKEN_EXPIRED.encode()
                )
            raise ConnectionRejectionError({"message": "Сеанс истёк. Войдите снова."})
        context.token = token
        context.reset_viewer()
        if isinstance(context.response, web.WebSocketResponse):
            context.watch = customer_session_watch(
                ws=context.response, rt=context.rt, viewer=found, token=token
            )
            await self.watch_session(context.request, context.watch)

    async def operation_context(self, context: Context) -> Context:
        return context.for_operation()


def create_app(settings: Settings | None = None) -> web.Application:
    """The whole app, wired here and nowhere else: the runtime and its ports, their start and
    stop (clean-up contexts, started in this order and stopped in the reverse one), the
    background tasks, both GraphQL views and the other routes."""
    settings = settings or Settings()
    app = web.Application(client_max_size=settings.max_body_bytes)
    app[RUNTIME] = Runtime.from_settings(
        settings, create_broker(settings.redis_url, prefix=settings.redis_prefix)
    )
    app.cleanup_ctx.append(_database)
    app.cleanup_ctx.append(_broker)
    app.cleanup_ctx.append(_adapters)
    app.cleanup_ctx.append(_background_tasks)

    schema = build_schema(
        production=settings.env == "production", limits=GraphQLLimits.from_settings(settings)
    )
    app.router.add_route("*", "/graphql", CustomerGraphQLView.for_settings(schema, settings))
    middleware.setup(app)
    setup_routes(app)
    return app


async def _database(app: web.Application) -> AsyncIterator[None]:
    rt = app[RUNTIME]
    await open_database(
        rt.settings.database_url,
        schema_mode=rt.settings.schema_mode,
        timeout=rt.settings.database_timeout,
    )
    with clock.fixed_at(rt.settings.fixed_now):
        if rt.settings.demo_data and await demo.load_demo_data(rt):
            log.info("demo data loaded")
    yield
    await close_database()


async def _broker(app: web.Application) -> AsyncIterator[None]:
    rt = app[RUNTIME]
    await rt.broker.start()
    yield
    await rt.broker.stop()


async def _adapters(app: web.Application) -> AsyncIterator[None]:
    """The HTTP session, and the adapters to the outside (the acquirer and the SMS gateway call
    out through it)."""
    rt = app[RUNTIME]
    settings = rt.settings
    http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
    rt.connect(http=http, acquirer=create_acquirer(settings, http))
    rt.mailer = create_mailer(settings.smtp_url, sender=settings.smtp_from)
    rt.sms_gateway = create_sms_gateway(settings.sms_url, http=http)
    if not settings.is_development:
        for name, transport in (("LK_SMTP_URL", rt.mailer), ("LK_SMS_URL", rt.sms_gateway)):
            if transport is None:
                log.warning("%s is not set: such messages stay pending in the outbox", name)
    yield
    await http.close()


async def _background_tasks(app: web.Application) -> AsyncIterator[None]:
    """Started last and stopped first: every task (these, and those services started, such as
    the sandbox's callback deliveries) ends before the session, the broker and the database
    close under it."""
    rt = app[RUNTIME]
    # Tasks keep the context they were created in: with LK_FIXED_NOW, its standing clock.
    with clock.fixed_at(rt.settings.fixed_now):
        _start_background_tasks(rt)
    yield
    await rt.tasks.stop()


def _start_background_tasks(rt: Runtime) -> None:
    if not rt.settings.background_tasks:
        return
    rt.tasks.start(run_sender(rt), name="outbox-sender")
    rt.tasks.start(identity_housekeeping.run(), name="identity-housekeeping")
    rt.tasks.start_periodic(
        lambda: _reconcile_payments(rt), seconds=RECONCILE_INTERVAL, name="payments-reconcile"
    )
    # Bills billing imported for paperless accounts: rendered and queued in the outbox.
    rt.tasks.start_periodic(
        lambda: ebill_delivery.run(rt),
        seconds=rt.settings.outbox_poll_seconds,
        name="ebill-delivery",
    )
    if rt.settings.reminders:
        # Once a day in one process of all: the first worker of each host checks, and the
        # day's lease in the database picks one (services/daily.py).
        rt.tasks.start_periodic(
            lambda: reminders.run_daily(rt), seconds=reminders.CHECK_SECONDS, name="reminders"
        )
    log.info("background tasks started: %s", ", ".join(rt.tasks.names()))


async def _reconcile_payments(rt: Runtime) -> None:
    counts = await reconcile.reconcile_once(rt)
    if any(counts.values()):
        log.info("payments: reconciliation %s", counts)


def main() -> None:
    settings = Settings()
    logs.configure_logging(level=settings.log_level, fmt=settings.log_format)
    workers = settings.worker_count
    if settings.workers > 1 and workers == 1:
        log.warning(
            "LK_WORKERS=%s ignored: without LK_REDIS_URL one process serves", settings.workers
        )
    log.info(
        "serving on http://%s:%s/graphql (%s, %s worker(s))",
        settings.host,
        settings.port,
        settings.env,
        workers,
    )
    if workers == 1:
        _install_uvloop()
        web.run_app(_served_app(settings), **_run_options(settings))
        return
    asyncio.run(_prepare_database(settings))
    # Workers skip migrations and demo data; background tasks run in the first one only.
    ready = settings.model_copy(update={"schema_mode": "ready", "demo_data": False})
    children: list[int] = []
    for index in range(workers):
        worker_settings = ready.model_copy(
            update={"background_tasks": ready.background_tasks and index == 0}
        )
        pid = os.fork()
        if pid == 0:
            _serve_worker(worker_settings)
        children.append(pid)
    sys.exit(_supervise(children))


async def _prepare_database(settings: Settings) -> None:
    """Migrations and demo data, once, before the workers start."""
    await open_database(settings.database_url, schema_mode=settings.schema_mode)
    try:
        rt = Runtime.from_settings(
            settings, create_broker(settings.redis_url, prefix=settings.redis_prefix)
        )
        if settings.demo_data and await demo.load_demo_data(rt):
            log.info("demo data loaded")
    finally:
        await close_database()


def _serve_worker(settings: Settings) -> None:
    code = 0
    try:
        _install_uvloop()
        web.run_app(_served_app(settings), reuse_port=True, **_run_options(settings))
    except BaseException:
        log.exception("worker %s failed", os.getpid())
        code = 1
    finally:
        logging.shutdown()
        os._exit(code)


def _supervise(children: list[int]) -> int:
    """Waits for the workers; SIGTERM/SIGINT stop them all, and so does one worker's exit."""
    stopping = False

    def stop(*_: Any) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    status = 0
    while children:
        try:
            pid, wait_status = os.wait()
        except ChildProcessError:
            break
        children.remove(pid)
        if not stopping:
            log.error(
                "worker %s exited (%s); stopping the others",
                pid,
                os.waitstatus_to_exitcode(wait_status),
            )
            status = 1
            stop()
    return status


def _run_options(settings: Settings) -> dict[str, Any]:
    # aiohttp's own access log is off: routes.middleware logs each request (LK_ACCESS_LOG),
    # without its query string.
    return {"host": settings.host, "port": settings.port, "print": None, "access_log": None}


def _served_app(settings: Settings) -> web.Application:
    app = create_app(settings)
    app.on_startup.append(_tune_garbage_collector)
    return app


async def _tune_garbage_collector(app: web.Application) -> None:
    """Objects that live as long as the process (schema, models, connections) leave the
    collector's generations, and young collections run less often: the default settings spent
    about a tenth of the CPU of a dashboard request in the collector."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def _install_uvloop() -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvloop is optional on other platforms
        pass


if __name__ == "__main__":
    main()
