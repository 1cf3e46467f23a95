"""The GraphQL context of one request (or one websocket connection)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from aiohttp import web
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

import models
from infra.runtime import Runtime
from resolvers.loaders import Loader
from services.errors import DomainError, ErrorCode, unauthenticated
from services.identity import auth

L = TypeVar("L", bound=Loader)
_UNSET: Any = object()


TOKEN_MESSAGES = {
    ErrorCode.TOKEN_EXPIRED: "Срок действия токена доступа истёк. Обновите его и повторите запрос.",
    ErrorCode.UNAUTHENTICATED: "Сеанс недействителен. Войдите снова.",
}


class TokenError(GraphQLError):
    """A request carried an access token that is not valid: expired (TOKEN_EXPIRED: refresh it
    and retry) or revoked, forged, malformed (UNAUTHENTICATED: sign in again). Raised by every
    field that needs the signed-in user, as a top-level error with the field's path; it is a
    refusal, not a bug, so error masking leaves it as it is."""

    def __init__(self, code: ErrorCode) -> None:
        super().__init__(TOKEN_MESSAGES[code], extensions={"code": code.value})
        self.code = code


class AccessWatch(Protocol):
    """What a websocket connection tells its subscriptions (routes/websockets.py)."""

    def on_change(self, hook: Callable[[], None]) -> Callable[[], None]:
        """Calls `hook` when the user's access may have changed; answers how to stop."""
        ...


@dataclass(eq=False)
class Context:
    request: web.Request
    response: web.StreamResponse | None
    rt: Runtime
    # The bearer token from the Authorization header, or from connection_init on websockets.
    token: str | None = None
    connection_params: dict[str, Any] | None = None
    # On a websocket: the connection's watch over the session (None over HTTP).
    watch: AccessWatch | None = None
    _loaders: dict[type, Loader] = field(default_factory=dict)
    _viewer: Any = _UNSET
    # Expensive work already done by the current operation (see take_work).
    _work: set[str] = field(default_factory=set)

    @property
    def ip(self) -> str | None:
        return self.request.remote

    def loader(self, cls: type[L]) -> L:
        """The request's instance of a DataLoader class, created on first use."""
        found = self._loaders.get(cls)
        if not isinstance(found, cls):
            found = self._loaders[cls] = cls()
        return found

    async def viewer(self) -> auth.Viewer | None:
        """The signed-in user and session; None without a token. A token that is not valid
        raises TokenError. Looked up once per request (per operation on a websocket)."""
        if self._viewer is _UNSET:
            self._viewer = await auth.check_token(self.rt, self.token) if self.token else None
        if isinstance(self._viewer, ErrorCode):
            raise TokenError(self._viewer)
        return self._viewer

    async def user_if_valid(self) -> models.User | None:
        """The signed-in user, or None for no token and for one that is not valid: for the
        operations that work without signing in and only do more for a signed-in user."""
        try:
            return await self.user()
        except TokenError:
            return None

    async def user(self) -> models.User | None:
        viewer = await self.viewer()
        return viewer.user if viewer else None

    async def require_viewer(self) -> auth.Viewer:
        viewer = await self.viewer()
        if viewer is None:
            raise unauthenticated()
        return viewer

    async def require_user(self) -> models.User:
        return (await self.require_viewer()).user

    def reset_viewer(self) -> None:
        self._viewer = _UNSET
        self._loaders.clear()

    def for_operation(self) -> Context:
        """A copy for one websocket operation: the connection lives long, so each operation
        looks its session up again (and gets loaders of its own)."""
        return dataclasses.replace(self, _loaders={}, _viewer=_UNSET, _work=set())

    async def recheck(self) -> auth.Viewer:
        """The session looked up again (before each subscription event): TokenError or
        UNAUTHENTICATED when it no longer holds."""
        self.reset_viewer()
        viewer = await self.viewer()
        if viewer is None:
            raise TokenError(ErrorCode.UNAUTHENTICATED)
        return viewer

    def take_work(self, kind: str, *, field: str | None = None) -> None:
        """Claims the operation's single unit of expensive work of a kind (a password check, a
        captcha image, a code sent): thirty aliases of one field must not cost thirty times.
        The second claim answers RATE_LIMITED before any work is done."""
        if kind in self._work:
            raise DomainError.of(
                ErrorCode.RATE_LIMITED,
                "В одном запросе можно выполнить только одно такое действие.",
                field,
            )
        self._work.add(kind)


class OperationWork(SchemaExtension):
    """Starts every operation with a fresh take_work budget: a websocket connection keeps one
    context for all its operations."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        if isinstance(context, Context):
            context._work.clear()
        yield


def bearer_token(value: str | None) -> str | None:
    if not value:
        return None
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()
