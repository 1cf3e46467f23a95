"""Websockets and bodies of both GraphQL endpoints.

What the GraphQL views take from the wire: JSON objects only, websocket messages bounded like
request bodies (LK_MAX_BODY_BYTES; aiohttp's own default for websockets is 4 MiB whatever the
HTTP limit says).

Strawberry reads any JSON value and then indexes it as an object: a body of `123`, `null`,
`"x"` or `true` answered HTTP 500, and such a websocket message ended the connection with a
traceback (so did a `subscribe` whose payload or query was not what the protocol says). Here
(with the views' base, routes/graphql_view.py) a body that is neither an object nor a list (a batch, which Strawberry refuses itself) answers
400, and such a websocket message closes the socket with graphql-transport-ws's 4400 (Bad
request).

A connection is opened with a token (or an API key) that may stop holding while it is open:
logout, a password change or reset, a replayed refresh token, the token's expiry, a revoked key.
So each operation gets a context of its own that looks the session (key) up again, and a
`SessionWatch` per connection listens to the revocation events of the broker
(services/identity/revocation.py, from every server process), re-checks the database every
LK_WS_RECHECK_SECONDS and closes the socket with 4401 when the credentials end; subscriptions
re-check before each event and end when the user's access to what they watch ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
import weakref
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any, TypeVar

from aiohttp import http, web
from strawberry.aiohttp.views import AiohttpWebSocketAdapter
from strawberry.http.exceptions import NonJsonMessageReceived, NonTextMessageReceived
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
    _OperationStreamClosed,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import CompleteMessage
from strawberry.utils.aio import aclosing

from adapters.broker import RESYNC, Subscription
from infra.runtime import Runtime
from services.errors import ErrorCode
from services.identity import auth, revocation

log = logging.getLogger(__name__)
ContextT = TypeVar("ContextT")
RootValueT = TypeVar("RootValueT")

# graphql-transport-ws close codes (docs/identity.md): 4401 Unauthorized, the credentials
# the connection was opened with no longer hold; 4403 Forbidden, refused at connection_init.
CLOSE_UNAUTHORIZED = 4401
SESSION_ENDED = "Session ended"
TOKEN_EXPIRED = "Token expired"
KEY_REVOKED = "API key revoked"


class SessionWatch:
    """Watches what one websocket connection acts for and closes it when that ends.

    `judge(message)` reads an event of `channel`: a close reason, "changed" (the user's access
    changed: subscriptions re-check) or None. `check()` looks the credentials up in the database:
    a close reason, or None while they hold.

    No task and no queue of its own (thousands of connections are open at once): the broker
    calls `_heard` with each event, a timer checks the database every LK_WS_RECHECK_SECONDS
    (and ends the connection at the token's expiry), and a task runs only for a check or a
    close under way.
    """

    __slots__ = (
        "_checking",
        "_closer",
        "_hooks",
        "_listener",
        "_stopped",
        "_timer",
        "channel",
        "check",
        "expires_at",
        "judge",
        "rt",
        "session_id",
        "ws",
    )

    def __init__(
        self,
        *,
        ws: web.WebSocketResponse,
        rt: Runtime,
        channel: str,
        judge: Callable[[dict[str, Any]], str | None],
        check: Callable[[], Awaitable[str | None]],
        expires_at: float | None = None,
        session_id: uuid.UUID | None = None,
    ) -> None:
        self.ws = ws
        # A customer session: re-checked with every other connection of the process at once
        # (SessionRechecks); without one (API keys) `check` runs on this connection's timer.
        self.session_id = session_id
        self.rt = rt
        self.channel = channel
        self.judge = judge
        self.check = check
        self.expires_at = expires_at
        # Callbacks told of an access change (a subscription's feed wakes up and re-checks):
        # no task or future per subscription while it waits.
        self._hooks: list[Callable[[], None]] | None = None
        self._listener: Subscription | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._checking: asyncio.Task[None] | None = None
        self._closer: asyncio.Task[None] | None = None
        self._stopped = False

    def on_change(self, hook: Callable[[], None]) -> Callable[[], None]:
        """Calls `hook` (which must not block) whenever the user's access may have changed;
        answers the function that stops that."""
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)

        def remove() -> None:
            if self._hooks is not None and hook in self._hooks:
                self._hooks.remove(hook)

        return remove

    async def start(self) -> None:
        # Subscribed before the connection is acknowledged: an event published from then on
        # is not missed.
        self._listener = await self.rt.broker.listen(self.channel, self._heard)
        if self.session_id is not None:
            SessionRechecks.of(self.rt).add(self, self.session_id)
        self._schedule()

    async def stop(self) -> None:
        self._stopped = True
        if self.session_id is not None:
            SessionRechecks.of(self.rt).discard(self)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._checking is not None and not self._checking.done():
            self._checking.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._checking
        if self._closer is not None:
            # A close under way is let finish: cut short, the client would see 1006, not 4401.
            with contextlib.suppress(asyncio.CancelledError):
                await self._closer
        if self._listener is not None:
            listener, self._listener = self._listener, None
            await listener.close()

    def _schedule(self) -> None:
        if self._stopped or self._closer is not None:
            return
        if self._timer is not None:
            self._timer.cancel()
        # Batched connections need a timer only for the token's expiry.
        delay = None if self.session_id is not None else self.rt.settings.ws_recheck_seconds
        if self.expires_at is not None:
            left = max(self.expires_at - time.time(), 0)
            delay = left if delay is None else min(delay, left)
        if delay is not None:
            self._timer = asyncio.get_running_loop().call_later(delay, self._due)

    def _due(self) -> None:
        self._timer = None
        if self.expires_at is not None and self.expires_at <= time.time():
            self._end(TOKEN_EXPIRED)
        elif self.session_id is None:
            self._check_soon()
        else:
            self._schedule()

    def _heard(self, message: dict[str, Any]) -> None:
        """A broker event (called by the broker: must not block)."""
        if self._stopped:
            return
        if message is RESYNC or message.get("type") == "resync":
            # Events may have been lost: ask the database, and let subscriptions re-check.
            self._fire_changed()
            self._check_soon()
            return
        try:
            verdict = self.judge(message)
        except Exception:  # a bug here must not leave the connection unwatched
            log.exception("session watch failed; closing the connection")
            verdict = SESSION_ENDED
        if verdict == "changed":
            self._fire_changed()
        elif verdict is not None:
            self._end(verdict)

    def _fire_changed(self) -> None:
        for hook in list(self._hooks or ()):
            try:
                hook()
            except Exception:  # one subscription's bug must not silence the others
                log.exception("access change hook failed")

    def _check_soon(self) -> None:
        if self._stopped or self._closer is not None:
            return
        if self._checking is None or self._checking.done():
            self._checking = asyncio.create_task(self._check(), name="session-check")

    async def _check(self) -> None:
        try:
            verdict = await self.check()
        except asyncio.CancelledError:
            raise
        except Exception:  # a bug here must not leave the connection unwatched
            log.exception("session watch failed; closing the connection")
            verdict = SESSION_ENDED
        if verdict is not None:
            self._end(verdict)
        else:
            self._schedule()

    def _end(self, reason: str) -> None:
        if self._closer is not None or self._stopped or self.ws.closed:
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._closer = asyncio.create_task(self._close(reason), name="session-close")

    async def _close(self, reason: str) -> None:
        await self.ws.close(code=CLOSE_UNAUTHORIZED, message=reason.encode())


class SessionRechecks:
    """The periodic database re-check of every customer websocket of a process: one statement
    (per 500 sessions) every LK_WS_RECHECK_SECONDS, where one query per connection made 167
    queries a second with 5,000 connections open. A revocation the broker carries closes a
    connection at once anyway; this finds those it did not carry."""

    CHUNK = 500
    _all: weakref.WeakKeyDictionary[Runtime, SessionRechecks] = weakref.WeakKeyDictionary()

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.watches: dict[SessionWatch, uuid.UUID] = {}
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def of(cls, rt: Runtime) -> SessionRechecks:
        found = cls._all.get(rt)
        if found is None:
            found = cls._all[rt] = cls(rt)
        return found

    def add(self, watch: SessionWatch, session_id: uuid.UUID) -> None:
        self.watches[watch] = session_id
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="session-rechecks")

    def discard(self, watch: SessionWatch) -> None:
        self.watches.pop(watch, None)

    async def _run(self) -> None:
        while self.watches:
            await asyncio.sleep(self.rt.settings.ws_recheck_seconds)
            try:
                await self.check_all()
            except Exception:  # the database is away: the next round tries again
                log.exception("session re-check failed")

    async def check_all(self) -> None:
        watches = dict(self.watches)
        ids = list(set(watches.values()))
        still_open: set[uuid.UUID] = set()
        for start in range(0, len(ids), self.CHUNK):
            still_open |= await auth.open_sessions(ids[start : start + self.CHUNK])
        for watch, session_id in watches.items():
            if session_id not in still_open:
                watch._end(SESSION_ENDED)


def customer_session_watch(
    *, ws: web.WebSocketResponse, rt: Runtime, viewer: auth.Viewer, token: str
) -> SessionWatch:
    """/graphql: closes the connection when its session ends (logout, password change or
    reset, replayed refresh token: events of services/identity/revocation.py) or its access token
    expires; an unlinked account ends the subscriptions of that account."""

    def judge(message: dict[str, Any]) -> str | None:
        if revocation.ends_session(message, viewer.session_id):
            return SESSION_ENDED
        return "changed" if message.get("type") == revocation.ACCOUNT_UNLINKED else None

    async def check() -> str | None:
        found = await auth.check_token(rt, token)
        if isinstance(found, auth.Viewer):
            return None
        return TOKEN_EXPIRED if found is ErrorCode.TOKEN_EXPIRED else SESSION_ENDED

    claims = rt.signer.read_access_token(token)
    return SessionWatch(
        ws=ws,
        rt=rt,
        channel=revocation.user_channel(viewer.user.id),
        judge=judge,
        check=check,
        expires_at=claims.expires_at if claims else time.time(),
        session_id=viewer.session_id,
    )


WATCH_KEY = web.RequestKey("session_watch", SessionWatch)


class SessionAwareTransportWS(BaseGraphQLTransportWSHandler[ContextT, RootValueT]):
    """graphql-transport-ws with a context per operation (the view's `operation_context`) and
    the connection's SessionWatch stopped when the connection ends."""

    async def run_operation(self, operation: Operation[ContextT, RootValueT]) -> None:
        # Strawberry's run_operation, with the operation's own context.
        try:
            context = await self.view.operation_context(self.context)  # type: ignore[attr-defined]
            result_source = await self.schema.stream(
                operation.query,
                variable_values=operation.variables,
                context_value=context,
                root_value=self.root_value,
                operation_name=operation.operation_name,
            )
            async with aclosing(result_source):
                await self._send_result_stream(operation, result_source)
            await operation.send_operation_message(
                CompleteMessage(id=operation.id, type="complete")
            )
        except _OperationStreamClosed:
            return
        except Exception as error:  # pragma: no cover - as Strawberry does
            await self.handle_task_exception(error)
            with contextlib.suppress(Exception):
                await operation.send_operation_message({"id": operation.id, "type": "complete"})
            self.operations.pop(operation.id, None)
            raise

    async def shutdown(self) -> None:
        watch = self.websocket.request.get(WATCH_KEY)  # type: ignore[attr-defined]
        if watch is not None:
            await watch.stop()
        await super().shutdown()


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
