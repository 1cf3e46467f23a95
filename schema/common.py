"""Shared GraphQL types: errors, payload helpers, pagination, number formatting."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, DecimalException
from operator import methodcaller

import dateutil.parser
import strawberry
from strawberry.schema.types.base_scalars import wrap_parser
from strawberry.types.scalar import ScalarDefinition

from resolvers.common import Outcome
from services.errors import ErrorCode as DomainErrorCode
from services.errors import FieldError
from services.pagination import Page
from services.periods import bounded_date

ErrorCode = strawberry.enum(
    DomainErrorCode, name="ErrorCode", description="Machine-readable code of an expected failure."
)

CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    """Rubles with two decimals."""
    return Decimal(value).quantize(CENT)


def volume(value: Decimal) -> Decimal:
    """Volumes without trailing zeros, at least one decimal: 26.015, 33.0."""
    normalized = Decimal(value).normalize()
    return (
        normalized if -normalized.as_tuple().exponent >= 1 else normalized.quantize(Decimal("0.1"))
    )


def rate(value: Decimal) -> Decimal:
    """A price per unit: at least two decimals (5.15), more only when needed."""
    normalized = Decimal(value).normalize()
    return normalized if -normalized.as_tuple().exponent > 2 else normalized.quantize(CENT)


@strawberry.type(
    description="An expected failure: a code, a Russian message and the input it is about."
)
class UserError:
    field: str | None = strawberry.field(
        description="Path of the input field the error is about, e.g. 'readings.1.value'; null "
        "when it is about the whole request."
    )
    code: ErrorCode = strawberry.field(description="Machine-readable code.")  # type: ignore[valid-type]
    message: str = strawberry.field(
        description="A message in Russian, ready to show to the customer."
    )

    @classmethod
    def from_error(cls, error: FieldError) -> UserError:
        return cls(field=error.field, code=error.code, message=error.message)


def user_errors(outcome: Outcome) -> list[UserError]:
    return [UserError.from_error(e) for e in outcome.errors]


@strawberry.type(description="The result of a mutation that returns nothing but success.")
class OkPayload:
    ok: bool = strawberry.field(description="True when the mutation took effect.")
    errors: list[UserError] = strawberry.field(description="Expected failures; empty on success.")

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


def plain(value: Decimal) -> Decimal:
    """Meter readings and their differences: no trailing zeros (4938, 12.5)."""
    normalized = Decimal(value).normalize()
    return normalized.quantize(Decimal(1)) if normalized == normalized.to_integral() else normalized


# --- scalars with bounds (passed to strawberry.Schema as scalar_overrides)
#
# Bounds belong to the scalars, not to each field: a far date, a 1e30 amount or a 5,000-digit
# id is refused while the request is read, like any malformed value (a GraphQL error, nothing
# executed), instead of failing later in date arithmetic or Decimal.quantize (INTERNAL_ERROR).
# ID is graphql-core's reserved scalar and cannot be replaced: schema/security.py bounds ids.

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
    if value.as_tuple().exponent < DECIMAL_MIN_EXPONENT:  # type: ignore[operator]
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

SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {
    date: BoundedDate,
    datetime: BoundedDateTime,
    Decimal: BoundedDecimal,
}
