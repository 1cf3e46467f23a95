"""Unexpected exceptions (bugs, a database gone away) logged once with an error id and masked
in production; graphql-core's "Did you mean" suggestions cut where the schema hides them."""

from __future__ import annotations

import logging
import re
import uuid

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from infra.metrics import GRAPHQL_ERRORS
from resolvers.common import as_graphql_error
from services.errors import DomainError

log = logging.getLogger("lk.graphql")

INTERNAL_ERROR_MESSAGE = "Внутренняя ошибка"
INTERNAL_ERROR_CODE = "INTERNAL_ERROR"

# graphql-core ends a message with its suggestions: " Did you mean 'number'?", " Did you mean
# 'a', 'b', or 'c'?", " Did you mean the enum value 'CARD'?", sometimes followed by more
# ("... Found: {...}"). Names hold no "?". Strawberry's disable_field_suggestions removes them
# from "Cannot query field" errors only.
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def without_suggestion(error: GraphQLError) -> None:
    """Cuts graphql-core's suggestion off the message (in place: validation errors are cached
    per schema, and the schema either always or never shows them)."""
    error.message = _SUGGESTION.sub("", error.message)


def is_unexpected(error: GraphQLError) -> bool:
    """A bug rather than a refusal: an exception that is not a GraphQLError, raised while
    resolving a field (it has a path) or inside a subscription's stream (no location).
    Errors of parsing, validation and variable coercion point at the document and stay."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError | DomainError):
        return False
    return error.path is not None or not error.nodes


def _with_code(error: GraphQLError) -> GraphQLError:
    """A DomainError that escaped the resolver helpers still answers its code and field."""
    original = error.original_error
    if not isinstance(original, DomainError):
        return error
    coded = as_graphql_error(original)
    return GraphQLError(
        coded.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=coded.extensions,
    )


class MaskUnexpectedErrors(MaskErrors):
    """Logs each unexpected exception once with an error id, and answers the id instead of
    the exception's text in production (the text may hold SQL, paths or personal data)."""

    def __init__(self, *, expose: bool, suggestions: bool = True) -> None:
        super().__init__(should_mask_error=is_unexpected, error_message=INTERNAL_ERROR_MESSAGE)
        self.expose = expose
        self.suggestions = suggestions

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        for error in errors:
            kind = "unexpected" if is_unexpected(error) else "field" if error.path else "request"
            GRAPHQL_ERRORS.labels(kind=kind).inc()
            if not self.suggestions:
                without_suggestion(error)
        return [_with_code(error) for error in super()._process_errors(errors)]

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        error_id = uuid.uuid4().hex[:16]
        original = error.original_error
        log.error(
            "unexpected error %s in %s",
            error_id,
            ".".join(map(str, error.path or [])) or "operation",
            exc_info=(type(original), original, original.__traceback__) if original else None,
            extra={"error_id": error_id},
        )
        return GraphQLError(
            message=error.message if self.expose else INTERNAL_ERROR_MESSAGE,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions={"code": INTERNAL_ERROR_CODE, "errorId": error_id},
        )
