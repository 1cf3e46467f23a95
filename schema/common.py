"""Shared GraphQL types: errors, payload helpers, pagination, number formatting."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import strawberry
from graphql import GraphQLError

from resolvers.common import Outcome
from services.errors import ErrorCode as DomainErrorCode
from services.errors import FieldError
from services.pagination import Page

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

    def __init__(self, value: object) -> None:
        self.value = value
        super().__init__(decimal_error_message(None, value))


def decimal_error_message(field: str | None, value: object) -> str:
    shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    where = f"Поле «{field}»: н" if field else "Н"
    return (
        f"{where}е удалось прочитать число «{str(shown)[:40]}». Введите число цифрами, "
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
    return number


DecimalScalar = strawberry.scalar(
    name="Decimal",
    description='A fixed-point number, answered as a string ("4941", "50.00"). Inputs also '
    'take a comma for the decimal point and spaces between digit groups ("1 234,56").',
    serialize=str,
    parse_value=parse_decimal,
)
# Scalars of the schema that replace Strawberry's: StrawberryConfig(scalar_map=SCALARS).
SCALARS = {Decimal: DecimalScalar}
