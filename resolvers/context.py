"""The GraphQL context of one request (or one websocket connection)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web
from strawberry.extensions import SchemaExtension

import models
from resolvers.loaders import Loader
from services import auth
from services.errors import DomainError, ErrorCode, unauthenticated
from services.runtime import Runtime

L = TypeVar("L", bound=Loader)
_UNSET: Any = object()


@dataclass(eq=False)
class Context:
    request: web.Request
    response: web.StreamResponse | None
    rt: Runtime
    # The bearer token from the Authorization header, or from connection_init on websockets.
    token: str | None = None
    connection_params: dict[str, Any] | None = None
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
        if found is None:
            found = self._loaders[cls] = cls()
        return found  # type: ignore[return-value]

    async def viewer(self) -> auth.Viewer | None:
        """The signed-in user and session, or None; looked up once per request."""
        if self._viewer is _UNSET:
            self._viewer = await auth.viewer_from_token(self.rt, self.token) if self.token else None
        return self._viewer

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

    def on_execute(self):  # type: ignore[no-untyped-def]
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
