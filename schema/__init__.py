"""The customer schema: root Query, Mutation and Subscription merged from each domain."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from schema.accounts import AccountsQuery
from schema.common import SCALAR_OVERRIDES
from schema.documents import DocumentsMutation, DocumentsQuery
from schema.identity import IdentityMutation, IdentityQuery
from schema.payments import PaymentsMutation, PaymentsQuery, PaymentsSubscription
from schema.readings import ReadingsMutation, ReadingsQuery
from schema.security import GraphQLLimits, security_extensions

Query = merge_types(
    "Query", (IdentityQuery, AccountsQuery, ReadingsQuery, PaymentsQuery, DocumentsQuery)
)
Mutation = merge_types(
    "Mutation", (IdentityMutation, ReadingsMutation, PaymentsMutation, DocumentsMutation)
)
Subscription = merge_types("Subscription", (PaymentsSubscription,))


def build_schema(
    *, production: bool = False, limits: GraphQLLimits | None = None
) -> strawberry.Schema:
    """The customer schema; `limits` (query limits, introspection, error masking) default to
    those of the environment (see schema/security.py)."""
    if limits is None:
        limits = GraphQLLimits(
            introspection=not production, expose_errors=not production, suggestions=not production
        )
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=security_extensions(limits),
        config=StrawberryConfig(disable_field_suggestions=production),
        scalar_overrides=SCALAR_OVERRIDES,
    )


schema = build_schema()
