"""Cursor pagination for Relay connections: opaque cursors over (sort key, id)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar

import orjson
from tortoise.models import Model

from infra import database
from services import periods
from services.errors import DomainError, ErrorCode, reversed_range
from services.periods import FIRST_DAY, LAST_DAY

T = TypeVar("T")
U = TypeVar("U")
M = TypeVar("M", bound=Model)
DEFAULT_PAGE = 20
MAX_PAGE = 100
# Cursors this module makes are under 100 characters.
MAX_CURSOR_LENGTH = 512
MAX_CURSOR_PART = 64
# Ids are 32-bit integer columns (PostgreSQL's integer).
MAX_DATABASE_ID = 2**31 - 1


@dataclass(slots=True)
class Page(Generic[T]):
    items: list[T]
    cursors: list[str]
    has_next_page: bool = False
    has_previous_page: bool = False

    def map(self, build: Callable[[T], U]) -> Page[U]:
        """The same page with each item built anew (a row into a model, a model into a view)."""
        return self.holding([build(item) for item in self.items])

    def holding(self, items: list[U]) -> Page[U]:
        """The same page (cursors, neighbours) holding `items`, one for each of its own."""
        return Page(items, self.cursors, self.has_next_page, self.has_previous_page)


def encode_cursor(*parts: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([str(p) for p in parts])).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list[str]:
    """The cursor's parts, each a string the callers may turn into a time or an id: refused
    (INVALID_INPUT) unless every part is short, a whole number fits a database id and a time
    lies within the dates the API takes. A forged cursor then fails here, not in int(), in
    date arithmetic or in the database (which answered INTERNAL_ERROR)."""
    parts = None
    if len(cursor) <= MAX_CURSOR_LENGTH:
        try:
            parts = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        except (ValueError, orjson.JSONDecodeError):
            parts = None
    if (
        not isinstance(parts, list)
        or len(parts) != size
        or not all(isinstance(p, str) and _plausible_part(p) for p in parts)
    ):
        raise DomainError.of(ErrorCode.INVALID_INPUT, "Неверный курсор страницы.", "after")
    return parts


def _plausible_part(part: str) -> bool:
    if len(part) > MAX_CURSOR_PART:
        return False
    if part.lstrip("-").isdigit():
        return part.isascii() and abs(int(part)) <= MAX_DATABASE_ID
    try:
        moment = datetime.fromisoformat(part)
    except ValueError:
        return True  # not a time: the caller reads it (a UUID, a text key)
    try:
        day = moment.astimezone(UTC).date() if moment.tzinfo else moment.date()
    except OverflowError:
        return False
    return FIRST_DAY <= day <= LAST_DAY


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE
    if first < 1 or first > MAX_PAGE:
        raise DomainError.of(
            ErrorCode.INVALID_INPUT, f"Размер страницы — от 1 до {MAX_PAGE}.", "first"
        )
    return first


def history_window(
    first: int | None, from_: date | None, to: date | None, timezone: str
) -> tuple[int, datetime | None, datetime | None]:
    """A history page's size and the moments its days span (`from` and `to` are days of the
    retailer's calendar, both included; an open end is None): the page size refused as
    page_size refuses it, a range that ends before it starts as reversed_range. Every history
    reads its arguments so, the resolvers and the SQL read path alike."""
    size = page_size(first)
    if from_ is not None and to is not None and from_ > to:
        raise reversed_range()
    return (size, *periods.local_day_range(from_, to, timezone))


@dataclass(frozen=True, slots=True)
class Rows(Generic[M]):
    """The rows a page is cut from, written out: `SELECT ... FROM ... WHERE ...` in PostgreSQL's
    placeholders ($1, $2, ... each used once, in order; SQLite gets `?`), its values, and the
    alias of `model`'s table in it, whose time column orders the page."""

    model: type[M]
    sql: str
    values: tuple[object, ...]
    alias: str


async def keyset_page(
    rows: Rows[M],
    *,
    moment: str,
    size: int,
    after: str | None,
    parse_id: Callable[[str], object],
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[dict[str, Any]]:
    """One page of `rows`, newest first by the time column `moment` (ties broken by id, newest
    first), from `since` (included) to `until` (excluded), as the database's rows (turn them into
    models with `Model._init_from_db(**row)`). The cursor of a row is its time (UTC) and id;
    `after` continues below that position, its id read with `parse_id` (an unreadable cursor is
    INVALID_INPUT on `after`). Keyset, not offset: a page stays right while new rows arrive above
    it. Written out rather than built by the ORM: a history page is one indexed statement, and
    building it through querysets cost more CPU than running it (docs/perf.md)."""
    model, column, key = rows.model, f"{rows.alias}.{moment}", f"{rows.alias}.id"
    values = list(rows.values)

    def value(v: object) -> str:
        values.append(v)
        return f"${len(values)}"

    conditions = []
    if since is not None:
        conditions.append(f"{column} >= {value(since)}")
    if until is not None:
        conditions.append(f"{column} < {value(until)}")
    if after:
        at, pk = position(after, parse_id)
        pk = model._meta.pk.to_db_value(pk, model)
        conditions.append(
            f"({column} < {value(at)} OR ({column} = {value(at)} AND {key} < {value(pk)}))"
        )
    where = "".join(f" AND {c}" for c in conditions)
    sql = f"{rows.sql}{where} ORDER BY {column} DESC, {key} DESC LIMIT {size + 1}"
    found = await database.fetch(model, sql, *values)
    items = found[:size]
    to_python = model._meta.fields_map[moment].to_python_value
    return Page(
        items=items,
        cursors=[
            encode_cursor(to_python(row[moment]).astimezone(UTC).isoformat(), row["id"])
            for row in items
        ],
        has_next_page=len(found) > size,
        has_previous_page=after is not None,
    )


def position(cursor: str, parse_id: Callable[[str], object]) -> tuple[datetime, object]:
    moment, key = decode_cursor(cursor, 2)
    try:
        return datetime.fromisoformat(moment), parse_id(key)
    except ValueError:
        raise DomainError.of(
            ErrorCode.INVALID_INPUT, "Неверный курсор страницы.", "after"
        ) from None
