"""What an import answers for each item, and the summary of a whole run."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class ItemStatus(str, Enum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    UNCHANGED = "UNCHANGED"
    REFUSED = "REFUSED"


@dataclass(frozen=True, slots=True)
class ItemResult:
    """One item's outcome. `index` is the item's position as the caller numbers it: the index in
    a GraphQL list, or the line number in a file."""

    index: int
    key: str | None
    status: ItemStatus
    reason: str | None = None
    field: str | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """One input item: its position and its fields (a dict), or why it could not be read."""

    index: int
    data: dict[str, Any] | None
    error: str | None = None


@dataclass
class Summary:
    """Counts of a whole run; refusals are kept with their line numbers and reasons."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: list[ItemResult] = field(default_factory=list)

    def add(self, results: Iterable[ItemResult]) -> None:
        for result in results:
            if result.status is ItemStatus.CREATED:
                self.created += 1
            elif result.status is ItemStatus.UPDATED:
                self.updated += 1
            elif result.status is ItemStatus.UNCHANGED:
                self.unchanged += 1
            else:
                self.refused.append(result)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + len(self.refused)


def refused(item: Item, key: str | None, reason: str, field: str | None = None) -> ItemResult:
    return ItemResult(item.index, key, ItemStatus.REFUSED, reason, field)


def items_of(rows: Iterable[dict[str, Any]], start: int = 0) -> list[Item]:
    """Items of a list given in one request, numbered from `start`."""
    return [Item(index, row) for index, row in enumerate(rows, start=start)]
