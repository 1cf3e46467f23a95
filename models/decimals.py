"""Decimal columns, typed: money, volumes, tariff rates and meter readings, each with its
precision. `fields.DecimalField(**some_dict)` matches none of Tortoise's typed overloads; these
factories (named as Tortoise's own `ForeignKeyField` is) return `DecimalField[Decimal]`, so
`line.to_pay` is a `Decimal` to the type checker too. The columns are plain `DecimalField`s:
the migrations see no difference."""

from decimal import Decimal
from typing import NamedTuple

from tortoise import fields


class Precision(NamedTuple):
    """Digits in all and after the point, as the column stores them (and importers check)."""

    max_digits: int
    decimal_places: int


# Roubles and kopecks.
MONEY = Precision(max_digits=14, decimal_places=2)
# Consumed volume of a service (кВт·ч, м³).
VOLUME = Precision(max_digits=16, decimal_places=3)
# The price of one unit of a service.
RATE = Precision(max_digits=12, decimal_places=4)
# A meter register's reading.
READING = Precision(max_digits=15, decimal_places=3)


def _column(precision: Precision) -> fields.DecimalField[Decimal]:
    return fields.DecimalField(
        max_digits=precision.max_digits, decimal_places=precision.decimal_places
    )


def MoneyField() -> fields.DecimalField[Decimal]:
    return _column(MONEY)


def VolumeField() -> fields.DecimalField[Decimal]:
    return _column(VOLUME)


def RateField() -> fields.DecimalField[Decimal]:
    return _column(RATE)


def ReadingField() -> fields.DecimalField[Decimal]:
    return _column(READING)
