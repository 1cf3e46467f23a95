"""Shared GraphQL types: errors, payload helpers, pagination, number formatting."""

from __future__ import annotations

import dataclasses
import functools
import inspect
import json
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from decimal import Decimal, DecimalException
from operator import methodcaller
from typing import Any, Generic, TypeVar

import dateutil.parser
import strawberry
from graphql import GraphQLError
from strawberry.schema.types.base_scalars import wrap_parser
from strawberry.types.base import StrawberryOptional, get_object_definition
from strawberry.types.scalar import ScalarDefinition

from resolvers.common import Outcome
from schema.enums import ErrorCode
from services.errors import FieldError
from services.pagination import Page
from services.periods import bounded_date

T = TypeVar("T")
R = TypeVar("R")
V = TypeVar("V")

CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    """Rubles with two decimals."""
    return Decimal(value).quantize(CENT)


def decimals(value: Decimal) -> int:
    """How many digits a finite number has after the point (negative for 1E+2)."""
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int), "a finite number expected"  # NaN and infinities: 'n', 'F'
    return -exponent


def volume(value: Decimal) -> Decimal:
    """Volumes without trailing zeros, at least one decimal: 26.015, 33.0."""
    normalized = Decimal(value).normalize()
    return normalized if decimals(normalized) >= 1 else normalized.quantize(Decimal("0.1"))


def rate(value: Decimal) -> Decimal:
    """A price per unit: at least two decimals (5.15), more only when needed."""
    normalized = Decimal(value).normalize()
    return normalized if decimals(normalized) > 2 else normalized.quantize(CENT)


@strawberry.type(
    description="An expected failure: a code, a Russian message and the input it is about."
)
class UserError:
    field: str | None = strawberry.field(
        description="Path of the input field the error is about, e.g. 'readings.1.value'; null "
        "when it is about the whole request."
    )
    code: ErrorCode = strawberry.field(description="Machine-readable code.")
    message: str = strawberry.field(
        description="A message in Russian, ready to show to the customer."
    )

    @classmethod
    def from_error(cls, error: FieldError) -> UserError:
        return cls(field=error.field, code=error.code, message=error.message)


def user_errors(outcome: Outcome) -> list[UserError]:
    return [UserError.from_error(e) for e in outcome.errors]


def answers(field: str, convert: Callable[[Any], Any]) -> Any:
    """The `build` of a payload that holds one value or the errors of its outcome, declared as
    `build = answers("preview", ReadingPreview.from_preview)`: `cls(preview=convert(value),
    errors=[])` on success, `cls(preview=None, errors=...)` otherwise."""

    convert_optional = optional(convert)

    def build(cls: Any, outcome: Outcome) -> Any:
        return cls(**{field: convert_optional(outcome.value)}, errors=user_errors(outcome))

    return classmethod(build)


def listing(field: str, convert: Callable[[Any], Any]) -> Any:
    """The `build` of a payload that holds one page of a list (no expected failures), declared
    as `build = listing("accounts", PaperlessAccount.from_row)`."""

    def build(cls: Any, rows: list[Any]) -> Any:
        return cls(**{field: [convert(row) for row in rows]}, errors=[])

    return classmethod(build)


def optional(convert: Callable[[V], R]) -> Callable[[V | None], R | None]:
    """`convert`, answering None for None (a nullable field's value)."""

    def convert_optional(value: V | None) -> R | None:
        return None if value is None else convert(value)

    return convert_optional


def from_attributes(cls: type[T], source: object, **values: Any) -> T:
    """An instance of `cls` built from `source` where their names are the same: a Strawberry
    type from a model or a service's object, or a service's request (a dataclass) from an
    input. The fields given in `values` (private ones, and those converted or renamed) as
    given; every other field read from the attribute of `source` that has its Python name, an
    ID field's value as its text (a model's integer key, a UUID)."""
    plain, ids = _plain_fields(cls)
    read = {name: getattr(source, name) for name in plain if name not in values}
    for name in ids:
        if name not in values:
            value = getattr(source, name)
            read[name] = None if value is None else strawberry.ID(str(value))
    return cls(**read, **values)


_PLAIN_FIELDS: dict[type, tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _is_id(type_: object) -> bool:
    if isinstance(type_, StrawberryOptional):
        type_ = type_.of_type
    return type_ is strawberry.ID


def _plain_fields(cls: type) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The Python names of the fields of `cls` to read, apart from those of ID fields: a
    Strawberry type's GraphQL fields that have no resolver of their own, a dataclass's fields of
    its constructor (none of them IDs)."""
    names = _PLAIN_FIELDS.get(cls)
    if names is None:
        definition = get_object_definition(cls)
        if definition is not None:
            read = [f for f in definition.fields if f.base_resolver is None]
            names = (
                tuple(f.python_name for f in read if not _is_id(f.type)),
                tuple(f.python_name for f in read if _is_id(f.type)),
            )
        else:
            assert dataclasses.is_dataclass(cls), f"{cls}: not a Strawberry type, not a dataclass"
            names = (tuple(f.name for f in dataclasses.fields(cls) if f.init), ())
        _PLAIN_FIELDS[cls] = names
    return names


def forward(
    resolver: Callable[..., Awaitable[V]],
    answer: Callable[[V], R],
    **convert: Callable[[Any], Any],
) -> Callable[[Callable[..., Awaitable[R]]], Callable[..., Awaitable[R]]]:
    """Declares a field that only forwards its arguments to its resolver: the decorated method
    gives the field's signature once (each argument with its type and description, and the type
    the field answers); its body (`raise NotImplementedError`) never runs. The field calls
    `resolver(info.context, **arguments)`, every argument by its own name (an ID arrives as a
    str), and answers `answer` of the result: a payload's `build` of the Outcome, or
    `optional(Type.from_model)` of a row. An argument named in `convert` is passed as its
    converter answers it (inputs to a service's requests, e.g. `readings=to_entries`)."""

    def declare(signature: Callable[..., Awaitable[R]]) -> Callable[..., Awaitable[R]]:
        parameters = inspect.signature(signature).parameters.values()
        defaults = {p.name: p.default for p in parameters if p.default is not p.empty}

        @functools.wraps(signature)  # Strawberry reads the arguments from `signature`
        async def field(self: object, info: strawberry.Info[Any, Any], **arguments: Any) -> R:
            given = {**defaults, **arguments}
            for name, converter in convert.items():
                given[name] = converter(given[name])
            return answer(await resolver(info.context, **given))

        return field

    return declare


@strawberry.type
class Payload:
    """What every payload holds: the expected failures of its operation (typed, in Russian,
    with the input path), empty on success; a payload names its value beside them. Not a type
    of the schema: each payload is."""

    errors: list[UserError] = strawberry.field(description="Expected failures; empty on success.")


@strawberry.type(description="The result of a mutation that returns nothing but success.")
class OkPayload(Payload):
    ok: bool = strawberry.field(description="True when the mutation took effect.")

    @classmethod
    def build(cls, outcome: Outcome) -> OkPayload:
        return cls(ok=not outcome.errors, errors=user_errors(outcome))


@strawberry.type(description="Relay pagination state of a connection.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow the last edge.")
    has_previous_page: bool = strawberry.field(description="More items precede the first edge.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first edge.")
    end_cursor: str | None = strawberry.field(
        description="Cursor of the last edge; pass as `after`."
    )

    @classmethod
    def from_page(cls, page: Page) -> PageInfo:
        return cls(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        )


@strawberry.type(description="An item of a list and its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Pass as `after` to continue after this edge.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(
    description="One page of a list, newest first: its items as edges, and where it sits."
)
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Pagination state.")

    @classmethod
    def from_page(cls, page: Page[R], node: Callable[[R], T]) -> Connection[T]:
        """The page's items as `node` wraps them, each with its cursor."""
        edges = [
            Edge(cursor=cursor, node=node(item))
            for item, cursor in zip(page.items, page.cursors, strict=True)
        ]
        return Connection(edges=edges, page_info=PageInfo.from_page(page))


def plain(value: Decimal) -> Decimal:
    """Meter readings and their differences: no trailing zeros (4938, 12.5)."""
    normalized = Decimal(value).normalize()
    return normalized.quantize(Decimal(1)) if normalized == normalized.to_integral() else normalized


# --- scalars with bounds (passed to strawberry.Schema as scalar_overrides)
#
# Bounds belong to the scalars, not to each field: a far date, a 1e30 amount or a 5,000-digit
# id is refused while the request is read, like any malformed value (a GraphQL error, nothing
# executed), instead of failing later in date arithmetic or Decimal.quantize (INTERNAL_ERROR).
# ID is graphql-core's reserved scalar and cannot be replaced: schema/query_limits.py bounds ids.

BoundedDate = ScalarDefinition(
    name="Date",
    description="Date (isoformat)",
    specified_by_url=None,
    serialize=methodcaller("isoformat"),
    # Strawberry's own Date, within the years the API takes (services.periods.bounded_date).
    parse_value=wrap_parser(lambda text: bounded_date(date.fromisoformat(text)), "Date"),
    parse_literal=None,
    origin=date,
)


def _parse_datetime(text: str) -> datetime:
    moment = dateutil.parser.isoparse(text)
    try:
        bounded_date(moment.astimezone(UTC).date() if moment.tzinfo else moment.date())
    except OverflowError:
        raise ValueError("a date within the supported range expected") from None
    return moment


BoundedDateTime = ScalarDefinition(
    name="DateTime",
    description="Date with time (isoformat)",
    specified_by_url=None,
    serialize=methodcaller("isoformat"),
    # Strawberry's own DateTime (dateutil's isoparse), within the same years as Date.
    parse_value=wrap_parser(_parse_datetime, "DateTime", exceptions=(ValueError, OverflowError)),
    parse_literal=None,
    origin=datetime,
)

# Money and readings: below 10^18 (Decimal's 28 digits then hold any quantize to kopecks),
# at most 30 decimals, finite.
DECIMAL_MAX_ADJUSTED_EXPONENT = 17
DECIMAL_MIN_EXPONENT = -30


def bounded_decimal(value: Decimal) -> Decimal:
    """`value` when the API takes it; ValueError otherwise. Kept apart from how the text is
    read (e.g. a decimal comma), so that any Decimal parser can end with it."""
    if not value.is_finite():
        raise ValueError("a finite number expected")
    if value.adjusted() > DECIMAL_MAX_ADJUSTED_EXPONENT:
        raise ValueError("numbers below 10^18 expected")
    if -decimals(value) < DECIMAL_MIN_EXPONENT:
        raise ValueError("at most 30 decimals expected")
    return value


def _parse_decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except DecimalException:
        raise ValueError("not a number") from None
    return bounded_decimal(value)


BoundedDecimal = ScalarDefinition(
    name="Decimal",
    description="Decimal (fixed-point)",
    specified_by_url=None,
    serialize=str,
    parse_value=wrap_parser(_parse_decimal, "Decimal", accept_non_string=True),
    parse_literal=None,
    origin=Decimal,
)

# The customer schema reads Decimal as Russians type it (DecimalScalar below, bounded the same
# way); the integration endpoint takes plain numbers (BoundedDecimal).
DATE_SCALARS: dict[object, ScalarDefinition] = {date: BoundedDate, datetime: BoundedDateTime}
SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {**DATE_SCALARS, Decimal: BoundedDecimal}


# --- the Decimal scalar: numbers as Russians type them

# A space between digit groups: the ordinary one, the no-break space (U+00A0), the narrow
# no-break space (U+202F, what Russian locales print) and the thin space (U+2009).
_GROUP_SPACE = "[ \u00a0\u202f\u2009]"
_DECIMAL_TEXT = re.compile(
    rf"[+-]?(?:\d+|\d{{1,3}}(?:{_GROUP_SPACE}\d{{3}})+)?(?:[.,]\d+)?(?:[eE][+-]?\d+)?",
    re.ASCII,  # digits 0-9 only
)


class DecimalInputError(GraphQLError):
    """A Decimal input that is not a number. Raised by the scalar, which does not know where the
    value sits; schema/input_errors.py reports it again with the field's path."""

    def __init__(self, value: object, *, out_of_bounds: bool = False) -> None:
        self.value = value
        self.out_of_bounds = out_of_bounds
        super().__init__(decimal_error_message(None, value, out_of_bounds=out_of_bounds))


def decimal_error_message(field: str | None, value: object, *, out_of_bounds: bool = False) -> str:
    shown = str(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))[:40]
    if out_of_bounds:
        where = f"Поле «{field}»: ч" if field else "Ч"
        return (
            f"{where}исло «{shown}» слишком велико или слишком точно: принимаются числа меньше "
            "10^18, не больше 30 знаков после запятой."
        )
    where = f"Поле «{field}»: н" if field else "Н"
    return (
        f"{where}е удалось прочитать число «{shown}». Введите число цифрами, "
        "например 4941, 50,00 или 1 234,56."
    )


def parse_decimal(value: object) -> Decimal:
    """ "50,00", "4 941", "1 234,56", "50.00", 50 and 50.5 all read as numbers; a comma or a
    space that is not digit grouping ("1,2,3", "1 2.3 4"), NaN and Infinity do not."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise DecimalInputError(value)
    text = value.strip() if isinstance(value, str) else str(value)
    if not any("0" <= ch <= "9" for ch in text) or not _DECIMAL_TEXT.fullmatch(text):
        raise DecimalInputError(value)
    try:
        number = Decimal(re.sub(_GROUP_SPACE, "", text).replace(",", "."))
    except ArithmeticError:
        raise DecimalInputError(value) from None
    if not number.is_finite():
        raise DecimalInputError(value)
    try:
        return bounded_decimal(number)
    except ValueError:
        raise DecimalInputError(value, out_of_bounds=True) from None


DecimalScalar = strawberry.scalar(
    name="Decimal",
    description='A fixed-point number, answered as a string ("4941", "50.00"). Inputs also '
    'take a comma for the decimal point and spaces between digit groups ("1 234,56").',
    serialize=str,
    parse_value=parse_decimal,
)
# Scalars of the schema that replace Strawberry's: StrawberryConfig(scalar_map=SCALARS).
SCALARS: dict[object, ScalarDefinition] = {Decimal: DecimalScalar}
