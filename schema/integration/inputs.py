"""Inputs of the integration endpoint's bulk operations. Field names follow the file formats of
`cli.py` (snake_case there, camelCase here); every item is validated by the same services."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry

from schema.enums import MeterKind, MeterZone, ReadingSource, ReadingStatus


@strawberry.input(
    description="A supplier or recipient of money with its bank details; keyed by INN."
)
class ProviderInput:
    inn: str = strawberry.field(description="ИНН: 10 or 12 digits. The key.")
    name: str = strawberry.field(description="Full name, as on the bill.")
    kpp: str | None = strawberry.field(default=None, description="КПП: 9 digits.")
    bank_name: str | None = strawberry.field(default=None, description="Bank name.")
    bic: str | None = strawberry.field(default=None, description="БИК: 9 digits.")
    settlement_account: str | None = strawberry.field(
        default=None, description="Расчётный счёт: 20 digits."
    )
    correspondent_account: str | None = strawberry.field(
        default=None, description="Корреспондентский счёт: 20 digits."
    )


@strawberry.input(description="A billed service; keyed by code.")
class ServiceInput:
    code: str = strawberry.field(description="Code: Latin capitals, digits, _. The key.")
    name: str = strawberry.field(description="Name shown to customers.")
    unit: str | None = strawberry.field(default=None, description="Unit; кВт·ч when omitted.")


@strawberry.input(description="The price of a unit of a service in a zone from a date on.")
class TariffRateInput:
    service_code: str = strawberry.field(description="Service.code.")
    zone: MeterZone = strawberry.field(description="Tariff zone.")
    valid_from: date = strawberry.field(description="First day the rate applies.")
    rate: Decimal = strawberry.field(description="Rubles per unit, up to 4 decimals.")


@strawberry.input(
    description="A service of an account: who supplies it and who receives the money."
)
class AccountServiceInput:
    code: str = strawberry.field(description="Service.code.")
    supplier_inn: str = strawberry.field(description="ИНН of the supplier (an imported provider).")
    recipient_inn: str = strawberry.field(
        description="ИНН of the recipient of payments (an imported provider)."
    )


@strawberry.input(description="A register (tariff zone) of a meter.")
class MeterRegisterInput:
    zone: MeterZone = strawberry.field(description="Tariff zone.")
    description: str | None = strawberry.field(
        default=None, description="As printed on the bill, e.g. День; the zone's name when omitted."
    )


@strawberry.input(description="A meter of an account; keyed by serial number within the account.")
class MeterInput:
    serial_number: str = strawberry.field(description="Serial number (заводской номер).")
    service_code: str = strawberry.field(description="The metered service; one of the account's.")
    registers: list[MeterRegisterInput] = strawberry.field(
        description="Registers, in the order the bill shows them."
    )
    kind: MeterKind | None = strawberry.field(default=None, description="INDIVIDUAL when omitted.")
    next_verification_date: date | None = strawberry.field(
        default=None, description="Date of the next verification (поверка)."
    )


@strawberry.input(
    description="An account with everything it has; keyed by number. Services not listed are "
    "removed from the account; meters are only added or changed, never removed."
)
class AccountInput:
    number: str = strawberry.field(description="Account number: digits. The key.")
    holder_name: str = strawberry.field(description="Holder's full name.")
    address: str = strawberry.field(description="Address of the premises.")
    city: str = strawberry.field(description="City.")
    region: str | None = strawberry.field(default=None, description="Region code; 66 when omitted.")
    services: list[AccountServiceInput] = strawberry.field(
        default_factory=list, description="Services of the account."
    )
    meters: list[MeterInput] = strawberry.field(
        default_factory=list, description="Meters of the account."
    )


@strawberry.input(description="One service's line of a statement.")
class StatementLineInput:
    service_code: str = strawberry.field(description="Service.code; one line per service.")
    tariff: Decimal = strawberry.field(description="Rate, rubles per unit.")
    balance: Decimal = strawberry.field(description="Balance at the start of the period.")
    paid: Decimal = strawberry.field(description="Paid in the period.")
    volume: Decimal = strawberry.field(description="Consumed volume.")
    charged: Decimal = strawberry.field(description="Charged for the period.")
    recalculation: Decimal = strawberry.field(description="Recalculation (may be negative).")
    to_pay: Decimal = strawberry.field(description="To pay.")


@strawberry.input(
    description="A statement of a period as billing computed it; keyed by account and period. "
    "A different version replaces the stored one with all its lines."
)
class StatementInput:
    account_number: str = strawberry.field(description="Account number.")
    period: date = strawberry.field(description="First day of the month.")
    total_to_pay: Decimal = strawberry.field(description="Total to pay, rubles.")
    lines: list[StatementLineInput] = strawberry.field(description="One line per service.")


@strawberry.input(description="The part of an external payment that went to one service.")
class ExternalPaymentLineInput:
    service_code: str = strawberry.field(description="Service.code; one of the account's.")
    amount: Decimal = strawberry.field(description="Paid for the service, rubles.")
    charged: Decimal | None = strawberry.field(
        default=None, description="What the statement asked for; the amount when omitted."
    )


@strawberry.input(
    description="A payment made elsewhere (a bank, the office); keyed by externalId. Stored as "
    "SUCCEEDED; it appears in the customer's payment history."
)
class ExternalPaymentInput:
    external_id: str = strawberry.field(description="Billing's id of the payment. The key.")
    account_number: str = strawberry.field(description="Account number.")
    amount: Decimal = strawberry.field(description="Total, rubles.")
    channel: str = strawberry.field(description="Where it was paid: a bank's or office's name.")
    paid_at: datetime = strawberry.field(description="When it was paid, with time zone.")
    period: date | None = strawberry.field(
        default=None, description="Statement period paid for (first day of the month)."
    )
    lines: list[ExternalPaymentLineInput] = strawberry.field(
        default_factory=list, description="Split by service; their sum must equal amount."
    )


@strawberry.input(
    description="A reading billing took itself; keyed by account, meter, zone, period and "
    "source. Stored ACCEPTED."
)
class SiteReadingInput:
    account_number: str = strawberry.field(description="Account number.")
    meter_serial_number: str = strawberry.field(description="Meter serial number.")
    zone: MeterZone = strawberry.field(description="Register zone.")
    period: date = strawberry.field(description="Period the reading counts for (first day).")
    value: Decimal = strawberry.field(description="The reading.")
    source: ReadingSource = strawberry.field(description="ONSITE, ESTIMATED or IMPORT.")
    taken_at: datetime = strawberry.field(description="When it was taken, with time zone.")


@strawberry.input(description="Billing's verdict on a reading a customer submitted.")
class ReadingStatusInput:
    id: strawberry.ID = strawberry.field(description="ExportedReading.id.")
    status: ReadingStatus = strawberry.field(description="ACCEPTED or REJECTED.")
    reason: str | None = strawberry.field(
        default=None, description="Why it was rejected, in Russian; required for REJECTED."
    )
