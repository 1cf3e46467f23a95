"""Consumption of an account by month and service (Account.consumption)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from schema.accounts import Service
from schema.common import money, volume
from schema.enums import MeterZone, ReadingSource
from services.readings import consumption as rules


def _volume(value: Decimal | None) -> Decimal | None:
    return None if value is None else volume(value)


@strawberry.type(description="The metered volume of one tariff zone in one month.")
class ZoneConsumption:
    zone: MeterZone = strawberry.field(description="Tariff zone.")
    volume: Decimal | None = strawberry.field(
        description="Units consumed: the month's counted reading minus the one before it; null "
        "when there is no earlier reading to start from."
    )


@strawberry.type(description="One service's consumption and charge in one month.")
class ServiceConsumption:
    service: Service = strawberry.field(description="The service.")
    has_readings: bool = strawberry.field(
        description="Whether the month has counted (not rejected) readings of this service; "
        "false means no readings, not zero consumption."
    )
    volume: Decimal | None = strawberry.field(
        description="Metered units, the sum of the zones; null when the month has no readings "
        "(or a zone's volume is unknown)."
    )
    zones: list[ZoneConsumption] = strawberry.field(
        description="Volume per tariff zone; empty when the month has no readings."
    )
    sources: list[ReadingSource] = strawberry.field(
        description="Where the month's counted readings came from (cabinet, on site, estimated…)."
    )
    charged: Decimal | None = strawberry.field(
        description="Charged for the month by its statement; null when there is no statement line."
    )
    billed_volume: Decimal | None = strawberry.field(
        description="The volume the statement billed (may differ from the metered volume: norms, "
        "common property); null when there is no statement line."
    )

    @classmethod
    def build(cls, row: rules.ServiceConsumption) -> ServiceConsumption:
        return cls(
            service=Service.from_model(row.service),
            has_readings=row.has_readings,
            volume=_volume(row.volume),
            zones=[ZoneConsumption(zone=z.zone, volume=_volume(z.volume)) for z in row.zones],
            sources=list(row.sources),
            charged=None if row.charged is None else money(row.charged),
            billed_volume=_volume(row.billed_volume),
        )


@strawberry.type(description="One month of an account's consumption.")
class ConsumptionMonth:
    period: date = strawberry.field(description="The month: its first day.")
    services: list[ServiceConsumption] = strawberry.field(
        description="Every service of the account, in the order of the account's services."
    )

    @classmethod
    def build(cls, row: rules.ConsumptionMonth) -> ConsumptionMonth:
        return cls(period=row.period, services=[ServiceConsumption.build(s) for s in row.services])
