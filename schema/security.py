"""What keeps hostile or broken requests from hurting the server or leaking its internals.

Any GraphQL schema of the app (the customer one, the integration one) takes its extensions from
`security_extensions(limits)`: query limits (depth, aliases, tokens, list sizes), introspection
switched off when configured, and unexpected exceptions masked in production.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    ExecutionResult,
    GraphQLError,
    GraphQLID,
    ListValueNode,
    OperationDefinitionNode,
    StringValueNode,
    ValidationRule,
    get_named_type,
    get_nullable_type,
    is_input_object_type,
    is_list_type,
    type_from_ast,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxTokensLimiter,
    SchemaExtension,
)
from strawberry.extensions.max_aliases import create_validator as max_aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as max_depth_rule

from infra.metrics import GRAPHQL_ERRORS
from resolvers.common import as_graphql_error
from schema.operation_cache import OperationCache
from services.errors import DomainError

log = logging.getLogger("lk.graphql")

INTERNAL_ERROR_MESSAGE = "Внутренняя ошибка"
INTERNAL_ERROR_CODE = "INTERNAL_ERROR"


@dataclass(frozen=True, slots=True)
class GraphQLLimits:
    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 5000
    # Longest list in one input (literal or variable), e.g. readings or payment lines.
    max_list_size: int = 1000
    # Longest ID (literal or variable): ids are database numbers or UUIDs.
    max_id_length: int = 64
    introspection: bool = True
    # Unexpected exceptions: their message to the client (development) or a masked one.
    expose_errors: bool = True
    # "Did you mean ...?" in error messages (fields, arguments, types, enum values, input
    # fields): a map of the schema for whoever probes it without introspection.
    suggestions: bool = True

    @classmethod
    def from_settings(cls, settings: Any) -> GraphQLLimits:
        return cls(
            max_depth=settings.graphql_max_depth,
            max_aliases=settings.graphql_max_aliases,
            max_tokens=settings.graphql_max_tokens,
            max_list_size=settings.graphql_max_list_size,
            introspection=settings.introspection,
            expose_errors=settings.env != "production",
            suggestions=settings.env != "production",
        )


def security_extensions(limits: GraphQLLimits) -> list[Callable[[], SchemaExtension]]:
    """Extension factories for a schema. The validation rules are built once here: the
    validation cache keys on the rule classes, so a class made per request (as a limiter
    instance per request does) would miss the cache on every request."""
    rules: list[type[ValidationRule]] = [
        max_depth_rule(limits.max_depth, should_ignore=None),
        max_aliases_rule(limits.max_aliases),
        max_list_size_rule(limits.max_list_size),
        max_id_length_rule(limits.max_id_length),
    ]
    if not limits.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return [
        # Factories, not instances (instances are deprecated); the caches are shared.
        lambda: MaskUnexpectedErrors(expose=limits.expose_errors, suggestions=limits.suggestions),
        lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
        lambda: AddValidationRules(rules),
        # Parsing and validation cached by query text (see schema/operation_cache.py for why
        # not Strawberry's ParserCache and ValidationCache).
        OperationCache,
        lambda: MaxVariableListSize(limits.max_list_size),
        lambda: MaxVariableIdLength(limits.max_id_length),
    ]


def max_list_size_rule(max_size: int) -> type[ValidationRule]:
    class MaxListSize(ValidationRule):
        def enter_list_value(self, node: ListValueNode, *_args: Any) -> None:
            if len(node.values) > max_size:
                self.report_error(GraphQLError(f"A list holds more than {max_size} values.", node))

    return MaxListSize


class MaxVariableListSize(SchemaExtension):
    """Lists passed in variables are not in the document, so validation cannot see them."""

    def __init__(self, max_size: int) -> None:
        self.max_size = max_size

    def on_execute(self) -> Iterator[None]:
        if _longest_list(self.execution_context.variables or {}) > self.max_size:
            self.execution_context.result = ExecutionResult(
                data=None,
                errors=[GraphQLError(f"A list holds more than {self.max_size} values.")],
            )
        yield


def _id_too_long(max_length: int) -> GraphQLError:
    return GraphQLError(f"An ID is longer than {max_length} characters.")


def max_id_length_rule(max_length: int) -> type[ValidationRule]:
    """IDs are database numbers or UUIDs; graphql-core's ID scalar (reserved, so not
    replaceable) takes any string, and a 5,000-digit one broke int() deep in a service."""

    class MaxIdLength(ValidationRule):
        def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
            type_ = self.context.get_input_type()
            if type_ is not None and get_named_type(type_) is GraphQLID:
                if len(node.value) > max_length:
                    self.report_error(_id_too_long(max_length))

        enter_int_value = enter_string_value  # type: ignore[assignment]

    return MaxIdLength


class MaxVariableIdLength(SchemaExtension):
    """IDs passed in variables (alone, in lists or inside input objects), by the types the
    operation declares for its variables."""

    def __init__(self, max_length: int) -> None:
        self.max_length = max_length

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        variables = context.variables or {}
        if variables and context.graphql_document is not None:
            schema = context.schema._schema
            for definition in context.graphql_document.definitions:
                if not isinstance(definition, OperationDefinitionNode):
                    continue
                for variable in definition.variable_definitions or ():
                    name = variable.variable.name.value
                    type_ = type_from_ast(schema, variable.type)
                    if name in variables and type_ is not None:
                        if _has_long_id(variables[name], type_, self.max_length):
                            context.result = ExecutionResult(
                                data=None, errors=[_id_too_long(self.max_length)]
                            )
                            break
        yield


def _has_long_id(value: Any, type_: Any, max_length: int, depth: int = 0) -> bool:
    type_ = get_nullable_type(type_)
    if value is None or depth > 20:
        return False
    if is_list_type(type_):
        items = value if isinstance(value, list) else [value]
        return any(_has_long_id(v, type_.of_type, max_length, depth + 1) for v in items)
    if is_input_object_type(type_):
        return isinstance(value, dict) and any(
            _has_long_id(value[name], field.type, max_length, depth + 1)
            for name, field in type_.fields.items()
            if name in value
        )
    return type_ is GraphQLID and len(str(value)) > max_length


def _longest_list(value: Any, depth: int = 0) -> int:
    if depth > 20:  # deeper than any input type of the schema: refuse by size
        return 1 << 30
    if isinstance(value, list):
        return max([len(value), *(_longest_list(v, depth + 1) for v in value)])
    if isinstance(value, dict):
        return max([0, *(_longest_list(v, depth + 1) for v in value.values())])
    return 0


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
