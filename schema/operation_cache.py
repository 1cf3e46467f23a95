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

from collections.abc import Iterator
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


class OperationCache(SchemaExtension):
    """Pass as a factory (`OperationCache`); the caches are shared by every instance."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
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
        document = context.graphql_document
        if context.pre_execution_errors is None and document is not None and context.query:
            options = tuple(sorted(context.parse_options.items()))
            # Only a document this extension parsed from this text may be looked up by the text.
            if _parse(context.query, options) is document:
                context.pre_execution_errors = _validate(
                    context.schema._schema, context.query, options, context.validation_rules
                )
        yield
