"""The kinds of import, by the name the command line and the docs use. Each kind has a
`prepare` step (parse and check a batch; no database, safe to run in a worker thread) and an
`apply` step (one transaction); `Kind.run(items)` runs both."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from operator import attrgetter, itemgetter
from typing import Any, Generic, TypeVar

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

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Kind(Generic[R]):
    parse: Callable[[dict[str, Any]], R]
    # What identifies an item within a batch (a repeat is refused) and names it in the results.
    key_of: Callable[[R], Hashable]
    apply: Callable[[Batch[R]], Awaitable[list[ItemResult]]]

    def prepare(self, items: Sequence[Item]) -> Batch[R]:
        """Parses and checks the items (no database): the part a file import runs ahead."""
        batch: Batch[R] = Batch(items)
        batch.parse(self.parse, key_of=self.key_of)
        return batch

    async def run(self, items: Sequence[Item]) -> list[ItemResult]:
        return await self.apply(self.prepare(items))


KINDS: dict[str, Kind[Any]] = {
    "providers": Kind(providers.parse, itemgetter("inn"), providers.apply_providers),
    "services": Kind(catalog.parse, itemgetter("code"), catalog.apply_services),
    "tariffs": Kind(tariffs.parse, tariffs.batch_key, tariffs.apply_tariffs),
    "accounts": Kind(accounts.parse, attrgetter("number"), accounts.apply_accounts),
    "statements": Kind(
        statements.parse, attrgetter("account_number", "period"), statements.apply_statements
    ),
    "payments": Kind(payments.parse, attrgetter("external_id"), payments.apply_payments),
    "readings": Kind(readings.parse, readings.batch_key, readings.apply_readings),
    "reading-statuses": Kind(
        reading_exports.parse, attrgetter("id"), reading_exports.apply_statuses
    ),
}
