"""The integration schema (/integration/graphql): bulk imports and exports for the billing
system, payments for the operators' dashboard. A separate schema from the customers': its own
root types, its own authentication (API keys with scopes)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncGenerator
from datetime import date, datetime
from types import GenericAlias
from typing import Annotated, Any

import strawberry
from strawberry.schema.config import StrawberryConfig

from resolvers import integration as resolve
from resolvers.integration import IntegrationContext
from schema.arguments import BILLING_KEY, DASHBOARD_KEY, AfterId, ExportPageSize, described
from schema.common import SCALAR_OVERRIDES, forward
from schema.integration.inputs import (
    AccountInput,
    ExternalPaymentInput,
    ProviderInput,
    ReadingStatusInput,
    ServiceInput,
    SiteReadingInput,
    StatementInput,
    TariffRateInput,
)
from schema.integration.questions import (
    AnswerQuestionPayload,
    AnswerText,
    OpenQuestionsPayload,
    QuestionAfterId,
    QuestionNumber,
    QuestionPageSize,
)
from schema.integration.types import (
    ApiKey,
    CustomerContactPreferencesPayload,
    DashboardPayment,
    ExportReadingsPayload,
    ImportPayload,
    PaperlessAccountsPayload,
)
from schema.query_limits import GraphQLLimits, security_extensions

Info = strawberry.Info[IntegrationContext, None]


def import_mutation(kind: str, item_type: type, description: str, *, items: str) -> Any:
    """The mutation of a kind of bulk import (`kind` in services/integration/kinds.py): its one
    argument `items` is a list of `item_type` (described by `items`); it answers ImportPayload."""
    described_items = described(items_description(items))

    async def run(self: Any, info: Info, items: list[Any]) -> ImportPayload:
        rows = [dataclasses.asdict(item) for item in items]
        return ImportPayload.build(await resolve.import_items(info.context, kind=kind, rows=rows))

    # What Strawberry reads as the argument's type: list[item_type] with its description.
    run.__annotations__["items"] = Annotated[GenericAlias(list, item_type), described_items]
    return strawberry.mutation(resolver=run, description=description)


def items_description(what: str) -> str:
    return f"{what} At most LK_INTEGRATION_MAX_ITEMS items. {BILLING_KEY}"


@strawberry.type(description="Read-only fields of the integration endpoint.")
class Query:
    @strawberry.field(description="The API key of this request; null without a valid key.")
    def api_key(self, info: Info) -> ApiKey | None:
        row = resolve.current_key(info.context)
        return ApiKey.from_model(row) if row else None

    @strawberry.field(description="A payment by id. Scope: dashboard.")
    async def payment(
        self,
        info: Info,
        id: Annotated[strawberry.ID, described(f"Payment.id. {DASHBOARD_KEY}")],
    ) -> DashboardPayment | None:
        row = await resolve.payment(info.context, payment_id=str(id))
        return DashboardPayment.from_model(row) if row else None

    @strawberry.field(
        description="Customers' confirmed contacts and mailing preferences, by user id: page "
        "with afterId (the last userId) and first; with changedSince only users whose contacts "
        "or preferences changed (or who registered) at or after it. Scope: billing."
    )
    @forward(resolve.customer_contact_preferences, CustomerContactPreferencesPayload.build)
    async def customer_contact_preferences(
        self,
        info: Info,
        after_id: AfterId = 0,
        first: ExportPageSize = 1000,
        changed_since: Annotated[
            datetime | None,
            described(
                "Only users whose contacts or preferences changed (or who registered) at or after "
                f"this moment; every user when omitted. {BILLING_KEY}"
            ),
        ] = None,
    ) -> CustomerContactPreferencesPayload:
        raise NotImplementedError

    @strawberry.field(
        description="Customers' questions still waiting for an answer, oldest first: page with "
        "afterId (the last id) and first. Scope: support."
    )
    @forward(resolve.open_questions, OpenQuestionsPayload.build)
    async def open_questions(
        self, info: Info, after_id: QuestionAfterId = 0, first: QuestionPageSize = 100
    ) -> OpenQuestionsPayload:
        raise NotImplementedError

    @strawberry.field(
        description="Accounts that get their bills by e-mail instead of paper (the electronic "
        "bill), by id: page with afterId and first. Without changedSince the accounts paperless "
        "now; with it every account whose choice changed at or after it, those back to paper "
        "included (paperless false). Scope: billing."
    )
    @forward(resolve.paperless_accounts, PaperlessAccountsPayload.build)
    async def paperless_accounts(
        self,
        info: Info,
        after_id: AfterId = 0,
        first: ExportPageSize = 1000,
        changed_since: Annotated[
            datetime | None,
            described(
                "Only accounts whose choice changed at or after this moment, both ways; the "
                f"paperless accounts now when omitted. {BILLING_KEY}"
            ),
        ] = None,
    ) -> PaperlessAccountsPayload:
        raise NotImplementedError


@strawberry.type(
    description="Bulk, idempotent operations. Each takes a list (at most LK_INTEGRATION_MAX_ITEMS "
    "items, applied in one transaction) and answers per item: CREATED, UPDATED, UNCHANGED or "
    "REFUSED with a reason. Scope: billing."
)
class Mutation:
    import_providers = import_mutation(
        "providers",
        ProviderInput,
        "Providers with their bank details, by INN. Scope: billing.",
        items="Providers to create or update, by INN.",
    )
    import_services = import_mutation(
        "services",
        ServiceInput,
        "Services, by code. Scope: billing.",
        items="Services to create or update, by code.",
    )
    import_tariff_rates = import_mutation(
        "tariffs",
        TariffRateInput,
        "Tariff rates, by service, zone and validFrom. Scope: billing.",
        items="Tariff rates to create or update, by service, zone and validFrom.",
    )
    import_accounts = import_mutation(
        "accounts",
        AccountInput,
        "Accounts with holder, address, services and meters, by number. Scope: billing.",
        items="Accounts to create or update, by number.",
    )
    import_statements = import_mutation(
        "statements",
        StatementInput,
        "Statements, by account and period; a new version replaces the stored one. Scope: billing.",
        items="Statements to create or replace, by account and period.",
    )
    import_payments = import_mutation(
        "payments",
        ExternalPaymentInput,
        "Payments made elsewhere, by externalId; they appear in the customer's payment history. "
        "Scope: billing.",
        items="Payments made elsewhere to record, by externalId.",
    )
    import_readings = import_mutation(
        "readings",
        SiteReadingInput,
        "Readings taken on site, estimated or imported; stored ACCEPTED. Scope: billing.",
        items="Readings to record, by account, meter, zone, period and source.",
    )

    @strawberry.mutation(
        description="Readings customers submitted for a period (CABINET, PUBLIC), by id, marked "
        "exported. Without includeExported only those not exported before. Scope: billing."
    )
    @forward(resolve.export_customer_readings, ExportReadingsPayload.build)
    async def export_readings(
        self,
        info: Info,
        period: Annotated[
            date,
            described(f"The billing period the readings count for: its first day. {BILLING_KEY}"),
        ],
        after_id: AfterId = 0,
        first: ExportPageSize = 1000,
        include_exported: Annotated[
            bool,
            described(f"Also the readings exported before (to export again). {BILLING_KEY}"),
        ] = False,
    ) -> ExportReadingsPayload:
        raise NotImplementedError

    set_reading_statuses = import_mutation(
        "reading-statuses",
        ReadingStatusInput,
        "Billing's verdict on customers' readings: ACCEPTED, or REJECTED with a reason; the "
        "customer sees it. Scope: billing.",
        items="Verdicts, one per reading (ExportedReading.id).",
    )

    @strawberry.mutation(
        description="Answers a customer's question, once: the answer is e-mailed to the "
        "customer (SMS when only a phone is known) and shows in the cabinet. Scope: support."
    )
    @forward(resolve.answer_question, AnswerQuestionPayload.build)
    async def answer_question(
        self, info: Info, number: QuestionNumber, text: AnswerText
    ) -> AnswerQuestionPayload:
        raise NotImplementedError


@strawberry.type(description="Live events for the operators' dashboard.")
class Subscription:
    @strawberry.subscription(
        description="Every change of a payment's status, with the payment as stored now. "
        "Scope: dashboard."
    )
    async def payment_status_changed(self, info: Info) -> AsyncGenerator[DashboardPayment, None]:
        async for row in resolve.payment_status_changes(info.context):
            yield DashboardPayment.from_model(row)


def build_integration_schema(
    *, production: bool = False, limits: GraphQLLimits | None = None
) -> strawberry.Schema:
    """The same protection as the customer schema (schema/query_limits.py): limits, masked errors,
    introspection as configured, parsing and validation cached."""
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=security_extensions(limits or GraphQLLimits()),
        config=StrawberryConfig(disable_field_suggestions=production),
        scalar_overrides=SCALAR_OVERRIDES,
    )


integration_schema = build_integration_schema()
