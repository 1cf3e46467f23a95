"""What keeps hostile or broken requests from hurting the server: query limits.

Any GraphQL schema of the app (the customer one, the integration one) takes its extensions from
`security_extensions(limits)`: query limits (depth, aliases, tokens, list sizes, id lengths),
introspection switched off when configured, parsing and validation cached, and unexpected
exceptions masked in production (schema/error_masking.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    ASTValidationRule,
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
from strawberry.extensions import SchemaExtension
from strawberry.extensions.max_aliases import create_validator as max_aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as max_depth_rule

from schema.error_masking import MaskUnexpectedErrors
from schema.operation_cache import OperationCache


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


def security_extensions(
    limits: GraphQLLimits,
    replaced_rules: Mapping[type[ASTValidationRule], type[ASTValidationRule]] | None = None,
) -> list[Callable[[], SchemaExtension]]:
    """Extension factories for a schema. The validation rules are built once here: the
    validation cache keys on the rule classes, so a class made per request (as a limiter
    instance per request does) would miss the cache on every request. `replaced_rules`:
    graphql-core's validation rules the schema swaps for its own."""
    rules: list[type[ASTValidationRule]] = [
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
        # The token limit and the rules, parsing and validation cached by query text (see
        # schema/operation_cache.py for why not Strawberry's MaxTokensLimiter,
        # AddValidationRules, ParserCache and ValidationCache).
        lambda: OperationCache(max_tokens=limits.max_tokens, added=rules, replaced=replaced_rules),
        lambda: VariableLimits(limits.max_list_size, limits.max_id_length),
    ]


def max_list_size_rule(max_size: int) -> type[ValidationRule]:
    class MaxListSize(ValidationRule):
        def enter_list_value(self, node: ListValueNode, *_args: Any) -> None:
            if len(node.values) > max_size:
                self.report_error(GraphQLError(f"A list holds more than {max_size} values.", node))

    return MaxListSize


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

        enter_int_value = enter_string_value

    return MaxIdLength


class VariableLimits(SchemaExtension):
    """Lists and IDs passed in variables (alone, in lists or inside input objects; IDs by the
    types the operation declares for its variables): the document does not hold them, so
    validation cannot see them. One extension for both: Strawberry keeps every extension's
    on_execute open while an operation runs, a subscription's as long as it is open (memory per
    subscription: docs/perf.md, Round 4)."""

    def __init__(self, max_size: int, max_length: int) -> None:
        self.max_size = max_size
        self.max_length = max_length

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        variables = context.variables or {}
        if _longest_list(variables) > self.max_size:
            context.result = ExecutionResult(
                data=None,
                errors=[GraphQLError(f"A list holds more than {self.max_size} values.")],
            )
        if variables and _has_long_variable_id(context, variables, self.max_length):
            context.result = ExecutionResult(data=None, errors=[_id_too_long(self.max_length)])
        yield


def _has_long_variable_id(context: Any, variables: dict[str, Any], max_length: int) -> bool:
    if context.graphql_document is None:
        return False
    schema = context.schema._schema
    for definition in context.graphql_document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        for variable in definition.variable_definitions or ():
            name = variable.variable.name.value
            type_ = type_from_ast(schema, variable.type)
            if name in variables and type_ is not None:
                if _has_long_id(variables[name], type_, max_length):
                    return True
    return False


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
