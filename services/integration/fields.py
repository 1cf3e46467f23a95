"""Reading one item's fields, whether they come from a file (strings) or from GraphQL (typed
values). Each reader raises Invalid with a Russian reason and the field's name."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Hashable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, TypeVar

from models.decimals import Precision

E = TypeVar("E", bound=Enum)
T = TypeVar("T")
INN = re.compile(r"^(\d{10}|\d{12})$")
DIGITS = re.compile(r"^\d+$")


class Invalid(Exception):
    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


def _raw(data: dict[str, Any], name: str, required: bool) -> Any:
    value = data.get(name)
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        if required:
            raise Invalid(f"не заполнено поле {name}", name)
        return None
    return value


def text(data: dict[str, Any], name: str, *, max_length: int, required: bool = True) -> str | None:
    value = data.get(name)
    if type(value) is str:  # the common case first: this runs for every field of every row
        value = value.strip()
        if value and len(value) <= max_length:
            return value
    value = _raw(data, name, required)
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        raise Invalid(f"поле {name}: ожидается строка", name)
    value = str(value)
    if len(value) > max_length:
        raise Invalid(f"поле {name}: длиннее {max_length} символов", name)
    return value


def required_text(data: dict[str, Any], name: str, *, max_length: int) -> str:
    value = text(data, name, max_length=max_length)
    assert value is not None
    return value


def digits(
    data: dict[str, Any], name: str, *, lengths: tuple[int, ...], required: bool = True
) -> str | None:
    value = text(data, name, max_length=max(lengths), required=required)
    if value is not None and (not DIGITS.match(value) or len(value) not in lengths):
        expected = " или ".join(str(n) for n in lengths)
        raise Invalid(f"поле {name}: ожидается {expected} цифр", name)
    return value


def inn(data: dict[str, Any], name: str) -> str:
    value = required_text(data, name, max_length=12)
    if not INN.match(value):
        raise Invalid(f"поле {name}: ИНН состоит из 10 или 12 цифр", name)
    return value


_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(8)}


@functools.cache
def _plain_number(places: int, max_digits: int) -> re.Pattern[str]:
    whole = max_digits - places
    return re.compile(rf"^-?\d{{1,{whole}}}(\.\d{{0,{places}}})?$")


def decimal(
    data: dict[str, Any],
    name: str,
    precision: Precision,
    *,
    required: bool = True,
    positive: bool = False,
) -> Decimal | None:
    places, max_digits = precision.decimal_places, precision.max_digits
    value = data.get(name)
    if type(value) is str and _plain_number(places, max_digits).match(value):
        # The common case (plain digits within the column's size): no further checks needed.
        number = Decimal(value)
        if positive and number <= 0:
            raise Invalid(f"поле {name}: должно быть больше нуля", name)
        return number
    if value is None or value == "":
        if required:
            raise Invalid(f"не заполнено поле {name}", name)
        return None
    try:
        if type(value) is str:
            number = Decimal(value.replace(",", ".") if "," in value else value)
        elif isinstance(value, (Decimal, int)) and not isinstance(value, bool):
            number = Decimal(value)
        elif isinstance(value, float):
            number = Decimal(repr(value))
        else:
            raise InvalidOperation
    except InvalidOperation:
        raise Invalid(f"поле {name}: ожидается число", name) from None
    if not number.is_finite():
        raise Invalid(f"поле {name}: ожидается число", name)
    if number.adjusted() >= max_digits - places:
        raise Invalid(f"поле {name}: слишком большое число", name)
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        rounded = number.quantize(_QUANTA[places])
        if rounded != number:
            raise Invalid(f"поле {name}: не более {places} знаков после запятой", name)
        number = rounded
    if positive and number <= 0:
        raise Invalid(f"поле {name}: должно быть больше нуля", name)
    return number


def required_decimal(
    data: dict[str, Any], name: str, precision: Precision, *, positive: bool = False
) -> Decimal:
    value = decimal(data, name, precision, positive=positive)
    assert value is not None  # required: decimal() raises Invalid rather than answer None
    return value


def day(data: dict[str, Any], name: str, *, required: bool = True) -> date | None:
    value = _raw(data, name, required)
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise Invalid(f"поле {name}: ожидается дата ГГГГ-ММ-ДД", name) from None


def period(data: dict[str, Any], name: str = "period") -> date:
    value = day(data, name)
    assert value is not None
    if value.day != 1:
        raise Invalid(f"поле {name}: период задаётся первым числом месяца", name)
    return value


def moment(data: dict[str, Any], name: str, *, required: bool = True) -> datetime | None:
    value = _raw(data, name, required)
    if value is None:
        return None
    if not isinstance(value, datetime):
        try:
            value = datetime.fromisoformat(str(value))
        except ValueError:
            raise Invalid(f"поле {name}: ожидается дата и время ISO 8601", name) from None
    if value.tzinfo is None:
        raise Invalid(f"поле {name}: укажите часовой пояс, например +05:00", name)
    return value.astimezone(UTC)


def choice(data: dict[str, Any], name: str, enum: type[E], *, allowed: tuple[E, ...] = ()) -> E:
    value = _raw(data, name, True)
    try:
        member = enum(value.value if isinstance(value, Enum) else str(value).upper())
    except ValueError:
        member = None
    if member is None or (allowed and member not in allowed):
        names = ", ".join(m.value for m in (allowed or tuple(enum)))
        raise Invalid(f"поле {name}: одно из {names}", name)
    return member


def records(data: dict[str, Any], name: str, *, required: bool = False) -> list[dict[str, Any]]:
    value = data.get(name)
    if value is None:
        if required:
            raise Invalid(f"не заполнено поле {name}", name)
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise Invalid(f"поле {name}: ожидается список объектов", name)
    return value


def nested(name: str, index: int, error: Invalid) -> Invalid:
    """The same error, with the field path inside a list: services.1.code."""
    return Invalid(f"{name}[{index}]: {error.reason}", f"{name}.{index}.{error.field}")


def each(
    data: dict[str, Any],
    name: str,
    parse: Callable[[dict[str, Any]], T],
    *,
    required: bool = False,
) -> list[T]:
    """The list field `name`, each object read by `parse`; an error names its item's path."""
    parsed = []
    for index, item in enumerate(records(data, name, required=required)):
        try:
            parsed.append(parse(item))
        except Invalid as error:
            raise nested(name, index, error) from None
    return parsed


def distinct(name: str, keys: Sequence[Hashable], reason: str) -> None:
    """Refuses the list field `name` when two of its items share a key."""
    if len(set(keys)) != len(keys):
        raise Invalid(f"поле {name}: {reason}", name)
