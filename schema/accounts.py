"""Accounts (лицевые счета), services, suppliers, tariffs and statements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

import models
from resolvers import accounts as resolve
from resolvers import documents as resolve_documents
from resolvers import ebill as resolve_ebill
from resolvers import payments as resolve_payments
from resolvers import readings as resolve_readings
from schema.arguments import (
    OWN_ACCOUNT,
    ConsumptionFrom,
    ConsumptionTo,
    HistoryFrom,
    HistoryTo,
    PageAfter,
    PageSize,
    described,
    described_from,
)
from schema.common import (
    Connection,
    Payload,
    answers,
    forward,
    from_attributes,
    money,
    optional,
    rate,
    volume,
)
from schema.compiled import batched, batched_field
from schema.context import Info
from schema.enums import MeterKind, MeterZone

if TYPE_CHECKING:
    from schema.consumption import ConsumptionMonth
    from schema.ebill import Ebill
    from schema.payments import Payment
    from schema.readings import Meter, Reading


@strawberry.type(
    description="A supplier of a service or a recipient of payments, with bank details."
)
class Provider:
    row: strawberry.Private[models.Provider]
    name: str = strawberry.field(
        description="Full name, e.g. АО «Нижнетагильская Энергосбытовая компания»."
    )
    inn: str = strawberry.field(description="ИНН.")
    kpp: str | None = strawberry.field(description="КПП.")
    bank_name: str | None = strawberry.field(description="Name of the bank.")
    bic: str | None = strawberry.field(description="БИК of the bank (9 digits).")
    settlement_account: str | None = strawberry.field(description="Расчётный счёт (20 digits).")
    correspondent_account: str | None = strawberry.field(
        description="Корреспондентский счёт (20 digits)."
    )

    @classmethod
    def from_model(cls, row: models.Provider) -> Provider:
        return from_attributes(cls, row, row=row)


@strawberry.type(description="A service the retailer bills for, e.g. «Электроэнергия».")
class Service:
    code: str = strawberry.field(description="Stable code of the service, used in payment lines.")
    name: str = strawberry.field(description="Name as printed on the bill.")
    unit: str = strawberry.field(description="Unit of volume, e.g. кВт·ч.")

    @classmethod
    def from_model(cls, row: models.Service) -> Service:
        return from_attributes(cls, row)


@strawberry.type(description="The price of one unit in one zone, in force from a date.")
class TariffRate:
    zone: MeterZone = strawberry.field(description="Tariff zone.")
    rate: Decimal = strawberry.field(description="Rubles per unit.")
    valid_from: date = strawberry.field(description="First day the rate applies.")

    @classmethod
    def from_model(cls, row: models.TariffRate) -> TariffRate:
        return cls(zone=models.MeterZone(row.zone), rate=rate(row.rate), valid_from=row.valid_from)


# Batches of the fields that only load by their parent's key (schema.compiled.batched): the
# compiled read path calls them once per level, graphql-core's resolvers with one parent.


async def services_of(info: Info, parents: list[Any]) -> list[Service]:
    """The `service` of parents whose row has a service_id."""
    rows = await resolve.services(info.context, service_ids=[p.row.service_id for p in parents])
    return [Service.from_model(r) for r in rows]


async def providers_of(info: Info, parents: list[Any]) -> list[Provider]:
    rows = await resolve.providers(info.context, provider_ids=[p.row.provider_id for p in parents])
    return [Provider.from_model(r) for r in rows]


async def recipients_of(info: Info, parents: list[Any]) -> list[Provider]:
    rows = await resolve.providers(info.context, provider_ids=[p.row.recipient_id for p in parents])
    return [Provider.from_model(r) for r in rows]


async def _tariffs(info: Info, parents: list[AccountService]) -> list[list[TariffRate]]:
    rows = await resolve.tariffs(info.context, account_services=[p.row for p in parents])
    return [[TariffRate.from_model(r) for r in rates] for rates in rows]


@strawberry.type(
    description="A service on one account, with who supplies it and who receives the money."
)
class AccountService:
    row: strawberry.Private[models.AccountService]

    service: Service = batched_field(services_of, description="The service.")

    provider: Provider = batched_field(
        providers_of, description="The supplier of the service (e.g. the managing company)."
    )

    recipient: Provider = batched_field(
        recipients_of, description="Who receives the money; the retailer acts as the paying agent."
    )

    tariffs: list[TariffRate] = batched_field(
        _tariffs,
        description="Rates in force today, one per zone of the account's meters of this "
        "service; the single rate when the account has no meter of it.",
    )

    @strawberry.field(description="How many meters of this service the account has.")
    def meter_count(self) -> int:
        return self.row.meter_count


@strawberry.type(description="One service's line of a charge statement, as billing computed it.")
class StatementLine:
    row: strawberry.Private[models.StatementLine]
    tariff: Decimal = strawberry.field(description="Rubles per unit.")
    balance: Decimal = strawberry.field(
        description="Debt (+) or overpayment (-) at the start of the period."
    )
    paid: Decimal = strawberry.field(description="Paid during the period.")
    volume: Decimal = strawberry.field(description="Volume consumed.")
    charged: Decimal = strawberry.field(description="Charged for the period.")
    recalculation: Decimal = strawberry.field(description="Recalculation (+ or -).")
    to_pay: Decimal = strawberry.field(description="К оплате.")

    service: Service = batched_field(services_of, description="The service.")

    @classmethod
    def from_model(cls, row: models.StatementLine) -> StatementLine:
        return cls(
            row=row,
            tariff=rate(row.tariff),
            balance=money(row.balance),
            paid=money(row.paid),
            volume=volume(row.volume),
            charged=money(row.charged),
            recalculation=money(row.recalculation),
            to_pay=money(row.to_pay),
        )


async def _lines(info: Info, parents: list[Statement]) -> list[list[StatementLine]]:
    rows = await resolve.statement_lines(info.context, statements=[p.row for p in parents])
    return [[StatementLine.from_model(r) for r in lines] for lines in rows]


@strawberry.type(description="The charge statement of one period.")
class Statement:
    row: strawberry.Private[models.Statement]
    period: date = strawberry.field(description="First day of the month.")
    total_to_pay: Decimal = strawberry.field(description="Итого к оплате.")

    lines: list[StatementLine] = batched_field(_lines, description="One line per service.")

    @strawberry.field(
        description="The payment QR code's text (GOST R 56042-2014, UTF-8: ST00012|Name=...|"
        "Sum=<kopecks>|PersAcc=<account>|PaymPeriod=<MMYYYY>|...) for the app to draw, as on the "
        "bill; null when the money goes to several recipients or their bank details are incomplete."
    )
    async def payment_qr_payload(self, info: Info) -> str | None:
        return await resolve_documents.statement_qr_payload(info.context, statement=self.row)

    @classmethod
    def from_model(cls, row: models.Statement) -> Statement:
        return cls(row=row, period=row.period, total_to_pay=money(row.total_to_pay))


async def _services(info: Info, parents: list[Account]) -> list[list[AccountService]]:
    rows = await resolve.account_services(info.context, accounts=[p.row for p in parents])
    return [[AccountService(row=r) for r in services] for services in rows]


async def _meters(info: Info, parents: list[Account]) -> list[list[Meter]]:
    from schema.readings import Meter

    rows = await resolve_readings.account_meters(info.context, accounts_=[p.row for p in parents])
    return [[Meter.from_model(r) for r in meters] for meters in rows]


async def _statement(
    info: Info, parents: list[Account], period: date | None = None
) -> list[Statement | None]:
    rows = await resolve.statement(info.context, accounts_=[p.row for p in parents], period=period)
    return list(map(optional(Statement.from_model), rows))


@strawberry.type(
    description="A лицевой счёт: the account number on the bill, its holder and address."
)
class Account:
    row: strawberry.Private[models.Account]
    id: strawberry.ID = strawberry.field(description="Opaque identifier.")
    number: str = strawberry.field(description="The account number printed on the bill.")
    holder_name: str = strawberry.field(description="Full name of the holder.")
    address: str = strawberry.field(description="Address of the supplied premises.")
    city: str = strawberry.field(description="City.")

    @classmethod
    def from_model(cls, row: models.Account) -> Account:
        return from_attributes(cls, row, row=row)

    services: list[AccountService] = batched_field(
        _services, description="Services billed on the account."
    )

    @strawberry.field(description="Meters installed for the account.")
    @batched(_meters)
    async def meters(
        self, info: Info
    ) -> list[Annotated[Meter, strawberry.lazy("schema.readings")]]:
        return (await _meters(info, [self]))[0]

    @strawberry.field(
        description="The charge statement of one period; the latest one when period is omitted."
    )
    @batched(_statement)
    async def statement(
        self,
        info: Info,
        period: Annotated[
            date | None,
            described(
                "A month of the statement (any day of it); the latest statement when omitted. "
                f"{OWN_ACCOUNT}"
            ),
        ] = None,
    ) -> Statement | None:
        return (await _statement(info, [self], period=period))[0]

    @strawberry.field(
        description="Charge history, newest first: the last 6 periods when from and to are omitted; "
        "at most 6 periods a request."
    )
    async def statements(
        self,
        info: Info,
        from_: Annotated[
            date | None,
            described_from(
                "The first month of the range (any day of it); five months before `to` when "
                f"omitted. {OWN_ACCOUNT}"
            ),
        ] = None,
        to: Annotated[
            date | None,
            described(
                "The last month of the range (any day of it); five months after `from` when "
                f"omitted. {OWN_ACCOUNT}"
            ),
        ] = None,
    ) -> list[Statement]:
        rows = await resolve.statements(info.context, account=self.row, from_=from_, to=to)
        return [Statement.from_model(r) for r in rows]

    @strawberry.field(
        description="Payments from every channel (cabinet, banks, offices), newest first."
    )
    async def payments(
        self,
        info: Info,
        from_: HistoryFrom = None,
        to: HistoryTo = None,
        first: PageSize = None,
        after: PageAfter = None,
    ) -> Connection[Annotated[Payment, strawberry.lazy("schema.payments")]]:
        from schema.payments import Payment

        page = await resolve_payments.account_payments(
            info.context, account=self.row, from_=from_, to=to, first=first, after=after
        )
        return Connection.from_page(page, Payment.from_model)

    @strawberry.field(description="Meter readings, newest first.")
    async def readings(
        self,
        info: Info,
        kind: Annotated[
            MeterKind | None,
            described(
                "Only readings of individual, or only of common, meters; both when omitted. "
                f"{OWN_ACCOUNT}"
            ),
        ] = None,
        from_: HistoryFrom = None,
        to: HistoryTo = None,
        first: PageSize = None,
        after: PageAfter = None,
    ) -> Connection[Annotated[Reading, strawberry.lazy("schema.readings")]]:
        from schema.readings import Reading

        page = await resolve_readings.account_readings(
            info.context, account=self.row, kind=kind, from_=from_, to=to, first=first, after=after
        )
        return Connection.from_page(page, Reading.from_view)

    @strawberry.field(
        description="Consumption by month (oldest first) and service: metered volume per zone, "
        "the charge, where the readings came from; the last 12 months when from and to are "
        "omitted; at most 36 months a request."
    )
    async def consumption(
        self,
        info: Info,
        from_: ConsumptionFrom = None,
        to: ConsumptionTo = None,
    ) -> list[Annotated[ConsumptionMonth, strawberry.lazy("schema.consumption")]]:
        from schema.consumption import ConsumptionMonth

        rows = await resolve_readings.account_consumption(
            info.context, account=self.row, from_=from_, to=to
        )
        return [ConsumptionMonth.build(r) for r in rows]

    @strawberry.field(
        description="The electronic bill: whether the account's bills come by e-mail instead of "
        "paper (enableEbill, disableEbill)."
    )
    async def ebill(self, info: Info) -> Annotated[Ebill, strawberry.lazy("schema.ebill")]:
        from schema.ebill import Ebill

        return Ebill.from_state(await resolve_ebill.account_ebill(info.context, account=self.row))


@strawberry.type(description="The result of linking an account.")
class AccountPayload(Payload):
    account: Account | None = strawberry.field(description="The account, on success.")

    build = answers("account", Account.from_model)


@strawberry.type
class AccountsQuery:
    @strawberry.field(
        description="One of the signed-in user's accounts; null when it does not exist or is not theirs."
    )
    @forward(resolve.account, optional(Account.from_model))
    async def account(
        self,
        info: Info,
        number: Annotated[
            str,
            described(
                "The account number printed on the bill (лицевой счёт). Requires sign-in; the "
                "account must be one of the user's (null otherwise)."
            ),
        ],
    ) -> Account | None:
        raise NotImplementedError
