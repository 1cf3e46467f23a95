"""The customer schema: root Query, Mutation and Subscription merged from each domain."""

from __future__ import annotations

import strawberry
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from schema.accounts import AccountsQuery
from schema.documents import DocumentsMutation, DocumentsQuery
from schema.identity import IdentityMutation, IdentityQuery
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
    # Each limiter builds a new validation-rule class when constructed, and the validation cache
    # is keyed by the rules: built once here, the rules stay the same objects on every request,
    # so the cache hits instead of validating every document again.
    limits = [
        *QueryDepthLimiter(max_depth=max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules,
    ]
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=[
            # Factories, not instances (instances are deprecated); the caches are shared.
            lambda: ParserCache(maxsize=1024),
            lambda: ValidationCache(maxsize=1024),
            lambda: AddValidationRules(limits),
            lambda: MaxTokensLimiter(max_token_count=max_tokens),
        ],
        config=StrawberryConfig(disable_field_suggestions=production),
    )


schema = build_schema()
