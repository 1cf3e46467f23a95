"""Parsing and validation done once per distinct query text in each process.

Strawberry's ParserCache and ValidationCache do not help here: ValidationCache keys its cache
on the parsed document, whose hash walks the whole syntax tree on every request (about as slow
as validating a dashboard-sized query), and on the tuple of validation rules, which
QueryDepthLimiter and MaxAliasesLimiter rebuild as new classes for every request, so it never
hits. This extension keys both caches on the query text instead (the document is a function of
the text and the parse options) and expects the extra rules as classes built once
(schema/query_limits.py builds them). The caches are bounded LRUs, so unique query texts cannot grow memory.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any

from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse
from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

MAXSIZE = 1024


@lru_cache(maxsize=MAXSIZE)
def _parse(query: str, options: tuple[tuple[str, Any], ...]) -> DocumentNode:
    return parse(query, **dict(options))


@lru_cache(maxsize=MAXSIZE)
def _validate(
    schema: GraphQLSchema,
    query: str,
    options: tuple[tuple[str, Any], ...],
    rules: tuple[type[ASTValidationRule], ...],
) -> list[GraphQLError]:
    return validate_document(schema, _parse(query, options), rules)


@lru_cache(maxsize=16)
def _rules(
    base: tuple[type[ASTValidationRule], ...],
    replaced: tuple[tuple[type[ASTValidationRule], type[ASTValidationRule]], ...],
    added: tuple[type[ASTValidationRule], ...],
) -> tuple[type[ASTValidationRule], ...]:
    replace = dict(replaced)
    return (*(replace.get(rule, rule) for rule in base), *added)


class OperationCache(SchemaExtension):
    """Parsing with the token limit and validation with the schema's own rules (`replaced`:
    graphql-core's rules swapped for ours, `added`: the query limits), both cached by the query
    text. The limits are set in the parse and validate hooks rather than in on_operation
    (Strawberry's MaxTokensLimiter and AddValidationRules): an on_operation hook stays open as
    long as the operation, a subscription's as long as it is open (memory per subscription,
    docs/perf.md). The caches are shared by every instance."""

    def __init__(
        self,
        *,
        max_tokens: int,
        added: Sequence[type[ASTValidationRule]] = (),
        replaced: Mapping[type[ASTValidationRule], type[ASTValidationRule]] | None = None,
    ) -> None:
        self.max_tokens = max_tokens
        self.added = tuple(added)
        self.replaced = tuple((replaced or {}).items())

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = self.max_tokens
        if context.graphql_document is None and context.query:
            options = tuple(sorted(context.parse_options.items()))
            try:
                context.graphql_document = _parse(context.query, options)
            except GraphQLError:
                # Left to Strawberry, which parses again and reports the error as usual.
                pass
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = _rules(
            tuple(context.validation_rules), self.replaced, self.added
        )
        document = context.graphql_document
        if context.pre_execution_errors is None and document is not None and context.query:
            options = tuple(sorted(context.parse_options.items()))
            # Only a document this extension parsed from this text may be looked up by the text.
            if _parse(context.query, options) is document:
                context.pre_execution_errors = _validate(
                    context.schema._schema, context.query, options, context.validation_rules
                )
        yield
