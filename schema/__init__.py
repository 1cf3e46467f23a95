"""The customer schema: root Query, Mutation and Subscription merged from each domain."""

from __future__ import annotations

import strawberry
from strawberry.extensions import MaxTokensLimiter
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from schema.accounts import AccountsQuery
from schema.documents import DocumentsMutation, DocumentsQuery
from schema.identity import IdentityMutation, IdentityQuery
from schema.operation_cache import OperationCache, stable_rules
from schema.payments import PaymentsMutation, PaymentsQuery, PaymentsSubscription
from schema.readings import ReadingsMutation, ReadingsQuery

Query = merge_types(
    "Query", (IdentityQuery, AccountsQuery, ReadingsQuery, PaymentsQuery, DocumentsQuery)
)
Mutation = merge_types(
    "Mutation", (IdentityMutation, ReadingsMutation, PaymentsMutation, DocumentsMutation)
)
Subscription = merge_types("Subscription", (PaymentsSubscription,))


def build_schema(
    *, production: bool = False, max_depth: int = 12, max_aliases: int = 30, max_tokens: int = 5000
) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=[
            # Factories, not instances (instances are deprecated). QueryDepthLimiter and
            # MaxAliasesLimiter as rules built once; parsing and validation cached by query text
            # (see schema/operation_cache.py for why not ParserCache and ValidationCache).
            stable_rules(max_depth=max_depth, max_aliases=max_aliases),
            lambda: MaxTokensLimiter(max_token_count=max_tokens),
            OperationCache,
        ],
        config=StrawberryConfig(disable_field_suggestions=production),
    )


schema = build_schema()
