"""Read models as SQL that PostgreSQL turns into JSON: how each domain describes them.

A `Node` is a read model: its attributes as SQL expressions over the alias of its row. A
`Relation` leads from a row (or from the request, for the roots) to one or many rows of a node:
a FROM clause with its conditions, and the order of the rows. The domains keep theirs next to
their batch functions (`services/<domain>/json_reads.py`), with the same rows and the same order;
schema/sql_reads.py maps GraphQL fields to them, formats the values as the schema's scalars and
builds the statement. Nothing here knows GraphQL.

Templates are `str.format` strings: `{t}` is the alias of the node's row, `{p}` that of the
parent row, and a named field (`{user}`, `{today}`, `{period}`, `{number}`) a parameter of the
request, which the statement builder turns into a placeholder ($1, $2, ...). Aliases of the
fragments' own joins and sub-selects are made from `{t}` (`{t}_l`), so that they never meet
another level's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from infra import database


@dataclass(frozen=True, slots=True)
class Node:
    """A read model: attribute name → SQL expression over `{t}`."""

    columns: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Relation:
    """Rows of `target` reached from a parent row `{p}` (or from the request's parameters):
    `source` is "FROM ... [WHERE ...]" binding `{t}`; `order` the ORDER BY of the rows (for one
    row: which one, the first); `many` a list, otherwise at most one row."""

    target: Node
    source: str
    order: str = ""
    many: bool = False


@dataclass(frozen=True, slots=True)
class KeysetPage:
    """A page of `target` rows as services/pagination.keyset_page cuts it: newest first by the
    time column `moment` of `{t}`, ties by id, newest first. `source` is "FROM ... WHERE ..."
    binding `{t}` from the parent `{p}`; `filters` the optional conditions of the page's
    arguments, by parameter name (`{kind}`), each applied only when the argument is given."""

    target: Node
    source: str
    moment: str
    filters: Mapping[str, str] = field(default_factory=dict)


def literal(value: str) -> str:
    """A constant of the code (an enum's stored value) as an SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


async def fetch_json(sql: str, values: list[object]) -> str | None:
    """The json text a statement built from these fragments answers (PostgreSQL only)."""
    text = await database.fetch_value(sql, values)
    assert text is None or isinstance(text, str), "a statement answering json text expected"
    return text
