"""The kinds of import, by the name the command line and the docs use. Each kind has a
`prepare` step (parse and check a batch; no database, safe to run in a worker thread) and an
`apply` step (one transaction); `Kind.run(items)` runs both."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from services.integration import (
    accounts,
    catalog,
    payments,
    providers,
    reading_exports,
    readings,
    statements,
    tariffs,
)
from services.integration.batch import Batch
from services.integration.results import Item, ItemResult


@dataclass(frozen=True, slots=True)
class Kind:
    prepare: Callable[[Sequence[Item]], Batch[Any]]
    apply: Callable[[Batch[Any]], Awaitable[list[ItemResult]]]

    async def run(self, items: Sequence[Item]) -> list[ItemResult]:
        return await self.apply(self.prepare(items))


KINDS: dict[str, Kind] = {
    "providers": Kind(providers.prepare_providers, providers.apply_providers),
    "services": Kind(catalog.prepare_services, catalog.apply_services),
    "tariffs": Kind(tariffs.prepare_tariffs, tariffs.apply_tariffs),
    "accounts": Kind(accounts.prepare_accounts, accounts.apply_accounts),
    "statements": Kind(statements.prepare_statements, statements.apply_statements),
    "payments": Kind(payments.prepare_payments, payments.apply_payments),
    "readings": Kind(readings.prepare_readings, readings.apply_readings),
    "reading-statuses": Kind(reading_exports.prepare_statuses, reading_exports.apply_statuses),
}
