"""The customer schema: root Query, Mutation and Subscription merged from each domain.

Nothing is built on import: the app factory (server.py) builds the schema with the settings'
limits, `python -m schema` with the defaults."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from resolvers.context import OperationWork
from schema.accounts import AccountsQuery
from schema.calculator import CalculatorQuery
from schema.common import DATE_SCALARS, SCALARS
from schema.debt import DebtQuery
from schema.documents import DocumentsMutation, DocumentsQuery
from schema.ebill import EbillMutation
from schema.identity import IdentityMutation, IdentityQuery
from schema.input_errors import RUSSIAN_RULES, RussianInputErrors
from schema.payments import PaymentsMutation, PaymentsQuery, PaymentsSubscription
from schema.query_limits import GraphQLLimits, security_extensions
from schema.questions import QuestionsMutation
from schema.read_path import ReadPath
from schema.readings import ReadingsMutation, ReadingsQuery
from schema.reference import ReferenceQuery

Query = merge_types(
    "Query",
    (
        IdentityQuery,
        AccountsQuery,
        ReadingsQuery,
        PaymentsQuery,
        DocumentsQuery,
        ReferenceQuery,
        CalculatorQuery,
        DebtQuery,
    ),
)
Mutation = merge_types(
    "Mutation",
    (IdentityMutation, ReadingsMutation, PaymentsMutation, DocumentsMutation, QuestionsMutation,
     EbillMutation),
)
Subscription = merge_types("Subscription", (PaymentsSubscription,))


def build_schema(
    *, production: bool = False, limits: GraphQLLimits | None = None
) -> strawberry.Schema:
    """The customer schema; `limits` (query limits, introspection, error masking) default to
    those of the environment (see schema/query_limits.py)."""
    if limits is None:
        limits = GraphQLLimits(
            introspection=not production, expose_errors=not production, suggestions=not production
        )
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=[
            *security_extensions(limits, RUSSIAN_RULES),
            RussianInputErrors,
            OperationWork,
            # Last: the ones before may answer first (a refused variable list).
            ReadPath,
        ],
        config=StrawberryConfig(disable_field_suggestions=production, scalar_map=SCALARS),
        scalar_overrides=DATE_SCALARS,
    )
