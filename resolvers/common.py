"""Turning service outcomes into what the schema layer needs."""

from __future__ import annotations

import functools
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, ParamSpec, TypeVar

from graphql import GraphQLError

from services.errors import DomainError, FieldError

T = TypeVar("T")
P = ParamSpec("P")


@dataclass(slots=True)
class Outcome(Generic[T]):
    """A mutation's result: the value, or the expected failures (never both)."""

    value: T | None = None
    errors: list[FieldError] = field(default_factory=list)


def with_errors(fn: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[Outcome[T]]]:
    """Decorates a resolver whose field answers a payload with `errors` (every mutation, and a
    query whose type is such a payload, as documentUrl): a DomainError becomes those errors."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> Outcome[T]:
        try:
            return Outcome(value=await fn(*args, **kwargs))
        except DomainError as error:
            return Outcome(errors=error.errors)

    return wrapper


# Every mutation answers a payload (the contract's convention); so does the query documentUrl.
mutation = with_errors
payload_query = with_errors


def query(fn: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """Decorates a query resolver: a DomainError (a bad argument) becomes a GraphQL error with
    the code and field in its extensions."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await fn(*args, **kwargs)
        except DomainError as error:
            raise as_graphql_error(error) from None

    return wrapper


def subscription(
    fn: Callable[P, AsyncGenerator[T, None]],
) -> Callable[P, AsyncGenerator[T, None]]:
    """Decorates a subscription resolver: a DomainError, raised before the first event or between
    two, ends the subscription with a GraphQL error carrying the code and field (as `query`)."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> AsyncGenerator[T, None]:
        events = fn(*args, **kwargs)
        try:
            async for event in events:
                yield event
        except DomainError as error:
            raise as_graphql_error(error) from None
        finally:
            # Closed now, not whenever it is collected: the feed holds a broker subscription.
            await events.aclose()

    return wrapper


def as_graphql_error(error: DomainError) -> GraphQLError:
    first = error.errors[0]
    # "classification" marks the error as the client's (Apollo's BAD_USER_INPUT convention), so
    # clients and fuzzers tell a refused argument from a failure of the server.
    extensions: dict[str, Any] = {
        "code": first.code.value,
        "field": first.field,
        "classification": "BAD_USER_INPUT",
    }
    return GraphQLError(first.message, extensions=extensions)
