"""What every HTTP request gets: an id, a log line and metrics; CORS for the configured origins;
security headers.

Headers are added in `on_response_prepare`, not in a middleware's return path: websocket
handshakes, static files and error pages are sent before a middleware would see them.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from aiohttp import web
from strawberry.http.websocket_origin import normalize_allowed_origins, normalize_origin

from infra import logs, metrics
from routes.keys import RUNTIME
from services import clock

access_log = logging.getLogger("lk.access")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

ALLOWED_METHODS = "GET, POST, OPTIONS"
ALLOWED_HEADERS = "Authorization, Content-Type, Accept, X-Request-Id"
EXPOSED_HEADERS = "X-Request-Id"
PREFLIGHT_MAX_AGE = "600"
# API answers are data, never a page: nothing may load, frame or run in their context. The
# GraphiQL page sets its own policy (routes/graphiql.py).
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
HSTS = "max-age=31536000; includeSubDomains"
CORS_ORIGINS = web.AppKey("cors_origins", frozenset)
REQUEST_ID = web.RequestKey("request_id", str)


def allowed_origin(request: web.Request) -> str | None:
    """The request's Origin when it may read the answer cross-origin, else None. No credentials
    are ever allowed (the API authenticates with a bearer token, not cookies), so a configured
    "*" answers "*"."""
    origin = request.headers.get("Origin")
    if origin is None:
        return None
    allowed = request.app[CORS_ORIGINS]
    if "*" in allowed:
        return "*"
    normalized = normalize_origin(origin)
    return origin if normalized is not None and normalized in allowed else None


def route_of(request: web.Request) -> str:
    """The route's pattern (/documents/{token}), never the concrete path: paths may hold signed
    tokens, and a metric label per concrete path would grow without bound."""
    info = request.match_info
    resource = info.route.resource if info.http_exception is None else None
    return resource.canonical if resource is not None else "unmatched"


@web.middleware
async def request_log(request: web.Request, handler):
    """One log line and the metrics of each request. The line holds the method, the route,
    the status, the duration and the request id: no query string, body or header."""
    given = request.headers.get("X-Request-Id", "")
    request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
    request[REQUEST_ID] = request_id
    token = logs.request_id.set(request_id)
    websocket = request.headers.get("Upgrade", "").lower() == "websocket"
    started = time.perf_counter()
    status = 500
    if websocket:
        metrics.WEBSOCKETS.inc()
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as error:
        status = error.status
        raise
    finally:
        duration = time.perf_counter() - started
        route = route_of(request)
        if websocket:
            metrics.WEBSOCKETS.dec()
        metrics.HTTP_REQUESTS.labels(route=route, method=request.method, status=status).inc()
        metrics.HTTP_LATENCY.labels(route=route).observe(duration)
        if status >= 500:
            metrics.HTTP_ERRORS.labels(route=route).inc()
        if status >= 500 or request.app[RUNTIME].settings.access_log:
            access_log.log(
                logging.ERROR if status >= 500 else logging.INFO,
                "%s %s %s",
                request.method,
                route,
                status,
                extra={
                    "method": request.method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(duration * 1000, 2),
                    "websocket": websocket,
                },
            )
        logs.request_id.reset(token)


@web.middleware
async def fixed_clock(request: web.Request, handler):
    """LK_FIXED_NOW (development and tests): the request sees the clock standing still."""
    with clock.fixed_at(request.app[RUNTIME].settings.fixed_now):
        return await handler(request)


@web.middleware
async def cors_preflight(request: web.Request, handler):
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        origin = allowed_origin(request)
        if origin is None:
            return web.Response(status=403, text="Origin not allowed")
        return web.Response(
            status=204,
            headers={
                "Access-Control-Allow-Methods": ALLOWED_METHODS,
                "Access-Control-Allow-Headers": ALLOWED_HEADERS,
                "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
            },
        )
    return await handler(request)


async def add_headers(request: web.Request, response: web.StreamResponse) -> None:
    headers = response.headers
    if REQUEST_ID in request:
        headers["X-Request-Id"] = request[REQUEST_ID]
    origin = allowed_origin(request)
    if origin is not None:
        headers["Access-Control-Allow-Origin"] = origin
        headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.app[CORS_ORIGINS] and "*" not in request.app[CORS_ORIGINS]:
        headers.add("Vary", "Origin")
    # aiohttp would name itself and its version.
    headers["Server"] = "lk"
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    # A PDF shown inline is rendered by the browser's viewer, which a default-src 'none'
    # policy may break; PDFs run no script of ours anyway.
    if response.content_type != "application/pdf":
        headers.setdefault("Content-Security-Policy", API_CSP)
    if not request.path.startswith("/static/"):
        # Answers hold personal data: no shared or browser cache may keep them.
        headers.setdefault("Cache-Control", "no-store")
    if request.app[RUNTIME].settings.env == "production":
        headers.setdefault("Strict-Transport-Security", HSTS)


def setup(app: web.Application) -> None:
    app[CORS_ORIGINS] = normalize_allowed_origins(app[RUNTIME].settings.allowed_origins)
    if app[RUNTIME].settings.fixed_now is not None:
        app.middlewares.append(fixed_clock)
    app.middlewares.append(request_log)
    app.middlewares.append(cors_preflight)
    app.on_response_prepare.append(add_headers)
