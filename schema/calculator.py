"""The public tariff calculator: what a consumption costs at the rates in force on a date, and
what can be calculated (services, zones, rates), for a site's form. No sign-in, no personal
data."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Any, Self

import strawberry

import models
from resolvers import calculator as resolve
from resolvers.common import Outcome
from schema.accounts import Service
from schema.arguments import described
from schema.common import Payload, answers, money, optional, plain, rate, user_errors
from schema.context import Info
from schema.enums import MeterZone
from services.reference import LABELS
from services.tariffs import Calculation, CalculationLine, CatalogueEntry, ZoneConsumption, ZoneRate


def zone_text(zone: models.MeterZone) -> str:
    return LABELS["MeterZone"][zone.value]


@strawberry.input(
    description="Consumption in one zone: either volume, or a meter's previous and current "
    "readings (current ≥ previous)."
)
class ZoneConsumptionInput:
    zone: MeterZone = strawberry.field(description="Tariff zone; each zone at most once.")
    volume: Decimal | None = strawberry.field(
        default=None, description="Units consumed (e.g. кВт·ч), zero or more; null with readings."
    )
    previous: Decimal | None = strawberry.field(
        default=None, description="The meter's earlier reading; with current, instead of volume."
    )
    current: Decimal | None = strawberry.field(
        default=None, description="The meter's later reading, not below previous."
    )

    def to_entry(self) -> ZoneConsumption:
        return ZoneConsumption(
            zone=self.zone, volume=self.volume, previous=self.previous, current=self.current
        )


@strawberry.input(description="What to calculate: a service, a date and consumption per zone.")
class TariffCalculationInput:
    service_code: str = strawberry.field(
        description="Service.code of the catalogue (see tariffCatalogue), e.g. ELECTRICITY."
    )
    date: datetime.date | None = strawberry.field(
        default=None,
        description="The day whose rates apply; today in the retailer's time zone when null. "
        "From ten years back to one year ahead.",
    )
    zones: list[ZoneConsumptionInput] = strawberry.field(
        description="Consumption per zone, one to five entries, each zone at most once."
    )


@strawberry.type(description="A zone a service can be calculated for, with its rate in force.")
class CalculatorZone:
    zone: MeterZone = strawberry.field(description="Tariff zone.")
    zone_text: str = strawberry.field(description="The zone's Russian name, e.g. «Ночь».")
    rate: Decimal = strawberry.field(description="Rubles per unit in force on the date.")
    valid_from: datetime.date = strawberry.field(description="First day that rate applies.")

    @classmethod
    def from_rate(cls, row: ZoneRate | CalculationLine, **more: Any) -> Self:
        """From a zone's rate in force (a calculation line also has one), and `more` fields."""
        return cls(
            zone=row.zone,
            zone_text=zone_text(row.zone),
            rate=rate(row.rate),
            valid_from=row.valid_from,
            **more,
        )


@strawberry.type(description="One zone of a calculation: the rate in force, the volume and cost.")
class TariffCalculationLine(CalculatorZone):
    previous: Decimal | None = strawberry.field(
        description="The earlier reading when readings were given; null otherwise."
    )
    current: Decimal | None = strawberry.field(
        description="The later reading when readings were given; null otherwise."
    )
    volume: Decimal = strawberry.field(description="Units consumed (current - previous).")
    cost: Decimal = strawberry.field(
        description="volume × rate, rubles, rounded to kopecks half-up."
    )

    @classmethod
    def from_line(cls, line: CalculationLine) -> TariffCalculationLine:
        return cls.from_rate(
            line,
            previous=optional(plain)(line.previous),
            current=optional(plain)(line.current),
            volume=plain(line.volume),
            cost=money(line.cost),
        )


@strawberry.type(description="The cost of a consumption at the rates in force on a date.")
class TariffCalculation:
    service: Service = strawberry.field(description="The service calculated.")
    date: datetime.date = strawberry.field(description="The day whose rates were applied.")
    lines: list[TariffCalculationLine] = strawberry.field(
        description="One line per zone, in MeterZone order."
    )
    total_volume: Decimal = strawberry.field(description="Sum of the lines' volumes.")
    total_cost: Decimal = strawberry.field(description="Sum of the lines' (rounded) costs, rubles.")

    @classmethod
    def from_calculation(cls, calc: Calculation) -> TariffCalculation:
        return cls(
            service=Service.from_model(calc.service),
            date=calc.on,
            lines=[TariffCalculationLine.from_line(line) for line in calc.lines],
            total_volume=plain(calc.total_volume),
            total_cost=money(calc.total_cost),
        )


@strawberry.type(description="The result of tariffCalculation.")
class TariffCalculationPayload(Payload):
    calculation: TariffCalculation | None = strawberry.field(
        description="The calculation, when the input is valid."
    )

    build = answers("calculation", TariffCalculation.from_calculation)


@strawberry.type(description="A service of the catalogue and its zones with rates on a date.")
class CalculatorService:
    service: Service = strawberry.field(description="The service.")
    zones: list[CalculatorZone] = strawberry.field(
        description="Zones with a rate in force, in MeterZone order."
    )

    @classmethod
    def from_entry(cls, entry: CatalogueEntry) -> CalculatorService:
        return cls(
            service=Service.from_model(entry.service),
            zones=[CalculatorZone.from_rate(r) for r in entry.rates],
        )


@strawberry.type(description="The result of tariffCatalogue.")
class TariffCataloguePayload(Payload):
    date: datetime.date | None = strawberry.field(
        description="The day whose rates are listed; null on failure."
    )
    services: list[CalculatorService] = strawberry.field(
        description="Services with at least one rate in force on the date; empty on failure."
    )

    @classmethod
    def build(
        cls, outcome: Outcome[tuple[datetime.date, list[CatalogueEntry]]]
    ) -> TariffCataloguePayload:
        if outcome.value is None:
            return cls(date=None, services=[], errors=user_errors(outcome))
        day, entries = outcome.value
        return cls(
            date=day,
            services=[CalculatorService.from_entry(e) for e in entries],
            errors=user_errors(outcome),
        )


@strawberry.type
class CalculatorQuery:
    @strawberry.field(
        description="Public, no sign-in: the cost of a consumption of a service at the rates "
        "in force on a date, line by line per zone. Expected failures (an unknown service, a "
        "zone without a rate, a zone twice, a negative volume, a date out of range) are errors."
    )
    async def tariff_calculation(
        self,
        info: Info,
        input: Annotated[
            TariffCalculationInput,
            described("The service, the date and the consumption per zone."),
        ],
    ) -> TariffCalculationPayload:
        outcome = await resolve.tariff_calculation(
            info.context,
            service_code=input.service_code,
            on=input.date,
            zones=[z.to_entry() for z in input.zones],
        )
        return TariffCalculationPayload.build(outcome)

    @strawberry.field(
        description="Public, no sign-in: what tariffCalculation can calculate on a date — "
        "every service with its zones and the rates in force, for a site's form."
    )
    async def tariff_catalogue(
        self,
        info: Info,
        date: Annotated[
            datetime.date | None,
            described("The day whose rates to list; today in the retailer's time zone when null."),
        ] = None,
    ) -> TariffCataloguePayload:
        return TariffCataloguePayload.build(await resolve.tariff_catalogue(info.context, on=date))
