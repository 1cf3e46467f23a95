"""The integration endpoint: API-key authentication, scopes, and calls into the importers."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from aiohttp import web

import models
from infra.runtime import Runtime
from resolvers.common import mutation, query, subscription
from services.errors import DomainError, ErrorCode
from services.integration import payment_feed
from services.integration.contact_exports import ContactPreferences, export_contact_preferences
from services.integration.ebill_exports import PaperlessAccount, export_paperless
from services.integration.kinds import KINDS
from services.integration.reading_exports import ExportedReading, export_readings
from services.integration.results import ItemResult, items_of
from services.questions import answers

BILLING = "billing"
# The scope of the operators' payment feed (the name keys and the API already use).
PAYMENT_FEED = "dashboard"
# Operators answering customers' questions.
SUPPORT = "support"


@dataclass(eq=False)
class IntegrationContext:
    request: web.Request
    response: web.StreamResponse | None
    rt: Runtime
    # The key from `Authorization: ApiKey <key>` (or connection_init on websockets), if valid.
    api_key: models.ApiKey | None = None
    connection_params: dict[str, Any] | None = None

    def require_scope(self, scope: str) -> models.ApiKey:
        if self.api_key is None:
            raise DomainError.of(
                ErrorCode.UNAUTHENTICATED,
                "Нужен действующий ключ API: заголовок Authorization: ApiKey <ключ>.",
            )
        if scope not in self.api_key.scopes:
            raise DomainError.of(ErrorCode.FORBIDDEN, f"Ключу API не выдан доступ «{scope}».")
        return self.api_key


def current_key(ctx: IntegrationContext) -> models.ApiKey | None:
    return ctx.api_key


@mutation
async def import_items(
    ctx: IntegrationContext, *, kind: str, rows: Sequence[dict[str, Any]]
) -> list[ItemResult]:
    ctx.require_scope(BILLING)
    _check_size(ctx, len(rows))
    return await KINDS[kind].run(items_of(rows))


@mutation
async def export_customer_readings(
    ctx: IntegrationContext,
    *,
    period: date,
    after_id: int,
    first: int,
    include_exported: bool,
) -> list[ExportedReading]:
    _require_page(ctx, BILLING, first)
    if period.day != 1:
        raise DomainError.of(
            ErrorCode.INVALID_INPUT, "Период задаётся первым числом месяца.", "period"
        )
    return await export_readings(
        period=period, after_id=after_id, limit=first, include_exported=include_exported
    )


@query
async def customer_contact_preferences(
    ctx: IntegrationContext, *, after_id: int, first: int, changed_since: datetime | None
) -> list[ContactPreferences]:
    _require_page(ctx, BILLING, first)
    return await export_contact_preferences(
        after_id=after_id, limit=first, changed_since=changed_since
    )


@query
async def paperless_accounts(
    ctx: IntegrationContext, *, after_id: int, first: int, changed_since: datetime | None
) -> list[PaperlessAccount]:
    _require_page(ctx, BILLING, first)
    return await export_paperless(after_id=after_id, limit=first, changed_since=changed_since)


def _require_page(ctx: IntegrationContext, scope: str, first: int) -> None:
    """A page of an export: the key's scope, and `first` within the limit."""
    ctx.require_scope(scope)
    _check_size(ctx, first, field="first")


def _check_size(ctx: IntegrationContext, size: int, field: str = "items") -> None:
    limit = ctx.rt.settings.integration_max_items
    if size > limit or size < 0:
        raise DomainError.of(
            ErrorCode.INVALID_INPUT,
            f"Не более {limit} позиций за один запрос; большие объёмы загружайте командой cli.py.",
            field,
        )


@query
async def payment(ctx: IntegrationContext, *, payment_id: str) -> models.Payment | None:
    ctx.require_scope(PAYMENT_FEED)
    return await payment_feed.payment(payment_id)


@subscription
async def payment_status_changes(
    ctx: IntegrationContext,
) -> AsyncGenerator[models.Payment, None]:
    ctx.require_scope(PAYMENT_FEED)
    async for row in payment_feed.payment_changes(rt=ctx.rt):
        yield row


@query
async def open_questions(
    ctx: IntegrationContext, *, after_id: int, first: int
) -> list[models.Question]:
    _require_page(ctx, SUPPORT, first)
    return await answers.open_questions(after_id=after_id, limit=first)


@mutation
async def answer_question(
    ctx: IntegrationContext, *, number: str, text: str
) -> models.Question:
    key = ctx.require_scope(SUPPORT)
    return await answers.answer(ctx.rt, number=number, text=text, key=key)
