"""The steps every importer shares: parse and validate the items of a batch, refuse duplicates
within it, and write flat rows with one bulk insert and one bulk update."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, Generic, TypeVar

from tortoise.models import Model
from tortoise.transactions import in_transaction

from services.integration.fields import Invalid
from services.integration.results import Item, ItemResult, ItemStatus, refused

R = TypeVar("R")
M = TypeVar("M", bound=Model)


@dataclass(slots=True)
class Parsed(Generic[R]):
    """A valid item: its position in the batch, the item, its key and its parsed row."""

    position: int
    item: Item
    key: Hashable
    label: str
    row: R


class Batch(Generic[R]):
    """Results of a batch by position; items not yet decided are None until the end."""

    def __init__(self, items: Sequence[Item]) -> None:
        self.items = items
        self.results: list[ItemResult | None] = [None] * len(items)
        self.parsed: list[Parsed[R]] = []

    def parse(
        self,
        parse: Callable[[dict[str, Any]], R],
        key_of: Callable[[R], Hashable],
    ) -> list[Parsed[R]]:
        first_line: dict[Hashable, int] = {}
        for position, item in enumerate(self.items):
            if item.data is None:
                self.results[position] = refused(item, None, item.error or "строка не прочитана")
                continue
            try:
                row = parse(item.data)
            except Invalid as error:
                self.results[position] = refused(
                    item, _guess_label(item.data), error.reason, error.field
                )
                continue
            key = key_of(row)
            label = "/".join(map(str, key)) if isinstance(key, tuple) else str(key)
            if key in first_line:
                self.results[position] = refused(
                    item, label, f"повторяет позицию {first_line[key]} этого пакета"
                )
                continue
            first_line[key] = item.index
            self.parsed.append(Parsed(position, item, key, label, row))
        return self.parsed

    def refuse(self, parsed: Parsed[R], reason: str, field: str | None = None) -> None:
        self.results[parsed.position] = refused(parsed.item, parsed.label, reason, field)

    def decide(self, parsed: Parsed[R], status: ItemStatus) -> None:
        self.results[parsed.position] = ItemResult(parsed.item.index, parsed.label, status)

    def pending(self) -> list[Parsed[R]]:
        """Valid items not yet refused."""
        return [p for p in self.parsed if self.results[p.position] is None]

    def finish(self) -> list[ItemResult]:
        assert all(r is not None for r in self.results), "an item was left undecided"
        return [r for r in self.results if r is not None]


def _guess_label(data: dict[str, Any]) -> str | None:
    for name in ("number", "account_number", "inn", "code", "external_id", "id"):
        value = data.get(name)
        if isinstance(value, (str, int)) and str(value).strip():
            return str(value).strip()[:64]
    return None


def differences(row: Model, values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if getattr(row, name) != value}


async def upsert_flat(
    batch: Batch[R],
    model: type[M],
    entries: list[tuple[Parsed[R], dict[str, Any]]],
    existing: dict[Hashable, M],
) -> None:
    """Creates the rows not in `existing`, updates those that differ (one bulk query each) and
    decides each entry's status."""
    creates: list[M] = []
    updates: list[M] = []
    changed_fields: set[str] = set()
    for parsed, values in entries:
        row = existing.get(parsed.key)
        if row is None:
            creates.append(model(**values))
            batch.decide(parsed, ItemStatus.CREATED)
            continue
        diff = differences(row, values)
        if not diff:
            batch.decide(parsed, ItemStatus.UNCHANGED)
            continue
        for name, value in diff.items():
            setattr(row, name, value)
        changed_fields.update(diff)
        updates.append(row)
        batch.decide(parsed, ItemStatus.UPDATED)
    if creates:
        await model.bulk_create(creates)
    if updates:
        await model.bulk_update(updates, fields=sorted(changed_fields))


async def import_keyed(
    items: Sequence[Item], parse: Callable[[dict[str, Any]], dict[str, Any]], model: type[M], key: str
) -> list[ItemResult]:
    """A whole import of flat rows keyed by one of their fields, in one step (bench/ seeds the
    catalog with it; the endpoint goes through kinds.KINDS)."""
    batch: Batch[dict[str, Any]] = Batch(items)
    batch.parse(parse, key_of=itemgetter(key))
    return await apply_keyed(batch, model, key)


async def apply_keyed(batch: Batch[dict[str, Any]], model: type[M], key: str) -> list[ItemResult]:
    """Writes a batch of flat rows identified by one of their fields (providers by INN, services
    by code) in one transaction: rows with a new `key` are created, the others updated where
    they differ."""
    parsed = batch.parsed
    async with in_transaction():
        found = await model.filter(**{f"{key}__in": [p.key for p in parsed]})
        existing: dict[Hashable, M] = {getattr(row, key): row for row in found}
        await upsert_flat(batch, model, [(p, p.row) for p in parsed], existing)
    return batch.finish()
