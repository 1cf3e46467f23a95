"""Result types of the integration endpoint."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry

import models
from resolvers.common import Outcome
from schema.common import Payload, UserError, from_attributes, listing, money, plain, user_errors
from schema.enums import (
    ItemStatus,
    MeterZone,
    PaymentStatus,
    ReadingSource,
    ReadingStatus,
    ReminderChannel,
    StoredPaymentMethod,
)
from services.integration.contact_exports import ContactPreferences as ContactPreferencesRow
from services.integration.ebill_exports import PaperlessAccount as PaperlessAccountRow
from services.integration.reading_exports import ExportedReading as ExportedReadingRow
from services.integration.results import ItemResult

# The `errors` of a page the integration endpoint reads out (exports, open questions).
EXPORT_PAGE_ERRORS = (
    "Always empty: a missing key, a key without the scope and a page over the limit answer "
    "GraphQL errors (UNAUTHENTICATED, FORBIDDEN, INVALID_INPUT), as every query."
)


@strawberry.type(description="The outcome of one item of a bulk operation.")
class ImportItemResult:
    index: int = strawberry.field(description="Position of the item in the request, from 0.")
    key: str | None = strawberry.field(
        description="The item's key (INN, code, account number, ...), when it could be read."
    )
    status: ItemStatus = strawberry.field(description="What was done.")
    reason: str | None = strawberry.field(description="Why the item was refused, in Russian.")
    field: str | None = strawberry.field(description="Path of the refused field in the item.")

    @classmethod
    def from_result(cls, result: ItemResult) -> ImportItemResult:
        return from_attributes(cls, result)


@strawberry.type(description="The result of a bulk operation: counts and one result per item.")
class ImportPayload(Payload):
    created: int = strawberry.field(description="Items created.")
    updated: int = strawberry.field(description="Items changed.")
    unchanged: int = strawberry.field(description="Items already as given.")
    refused: int = strawberry.field(description="Items refused.")
    items: list[ImportItemResult] = strawberry.field(description="One result per item, in order.")
    errors: list[UserError] = strawberry.field(
        description="Failures of the whole request (UNAUTHENTICATED, FORBIDDEN, too many items); "
        "nothing was imported then."
    )

    @classmethod
    def build(cls, outcome: Outcome[list[ItemResult]]) -> ImportPayload:
        results = outcome.value or []
        count = {status: 0 for status in ItemStatus}
        for result in results:
            count[result.status] += 1
        return cls(
            created=count[ItemStatus.CREATED],
            updated=count[ItemStatus.UPDATED],
            unchanged=count[ItemStatus.UNCHANGED],
            refused=count[ItemStatus.REFUSED],
            items=[ImportItemResult.from_result(r) for r in results],
            errors=user_errors(outcome),
        )


@strawberry.type(description="A reading a customer submitted, as exported to billing.")
class ExportedReading:
    id: strawberry.ID = strawberry.field(description="Pass it back in ReadingStatusInput.id.")
    account_number: str = strawberry.field(description="Account number.")
    meter_serial_number: str = strawberry.field(description="Meter serial number.")
    zone: MeterZone = strawberry.field(description="Register zone.")
    value: Decimal = strawberry.field(description="The reading.")
    period: date = strawberry.field(description="Period it counts for.")
    source: ReadingSource = strawberry.field(description="CABINET or PUBLIC.")
    status: ReadingStatus = strawberry.field(description="Current status.")
    taken_at: datetime = strawberry.field(description="When the customer entered it.")
    exported_at: datetime = strawberry.field(description="When it was first exported.")

    @classmethod
    def from_row(cls, row: ExportedReadingRow) -> ExportedReading:
        return from_attributes(cls, row, value=plain(row.value))


@strawberry.type(description="The result of exportReadings.")
class ExportReadingsPayload(Payload):
    readings: list[ExportedReading] = strawberry.field(
        description="Readings of the page, by id; empty when there are no more."
    )

    @classmethod
    def build(cls, outcome: Outcome[list[ExportedReadingRow]]) -> ExportReadingsPayload:
        rows = outcome.value or []
        return cls(
            readings=[ExportedReading.from_row(r) for r in rows], errors=user_errors(outcome)
        )


@strawberry.type(description="An API key (never the key itself: it is shown once, when created).")
class ApiKey:
    id: strawberry.ID = strawberry.field(description="Id, as `cli.py apikey list` shows it.")
    name: str = strawberry.field(description="Who uses the key.")
    prefix: str = strawberry.field(description="First characters of the key.")
    scopes: list[str] = strawberry.field(description="billing, dashboard.")
    created_at: datetime = strawberry.field(description="When the key was created.")
    last_used_at: datetime | None = strawberry.field(description="Last use, to the minute.")

    @classmethod
    def from_model(cls, row: models.ApiKey) -> ApiKey:
        return from_attributes(cls, row, scopes=list(row.scopes))


@strawberry.type(description="A payment as the retailer's operators see it.")
class DashboardPayment:
    id: strawberry.ID = strawberry.field(description="Payment id.")
    account_number: str = strawberry.field(description="Account paid for.")
    status: PaymentStatus = strawberry.field(description="Current status.")
    method: StoredPaymentMethod | None = strawberry.field(
        description="CARD or SBP; null for payments made elsewhere."
    )
    amount: Decimal = strawberry.field(description="Total, rubles.")
    channel: str = strawberry.field(
        description="Where it was made: cabinet, site (paid without signing in), a bank, an office."
    )
    provider: str = strawberry.field(description="The acquirer, or offline.")
    external_id: str | None = strawberry.field(description="Billing's id of an offline payment.")
    failure_reason: str | None = strawberry.field(description="Why it failed.")
    created_at: datetime = strawberry.field(description="Created.")
    updated_at: datetime = strawberry.field(description="Last changed.")
    paid_at: datetime | None = strawberry.field(description="When the money was received.")

    @classmethod
    def from_model(cls, row: models.Payment) -> DashboardPayment:
        return from_attributes(
            cls,
            row,
            account_number=row.account.number,
            status=models.PaymentStatus(row.status),
            method=models.PaymentMethod(row.method) if row.method else None,
            amount=money(row.amount),
        )


@strawberry.type(
    description="A user's contacts and mailing preferences, for billing's mailings and receipts."
)
class CustomerContactPreferences:
    user_id: strawberry.ID = strawberry.field(
        description="The user's id; pass the last one as afterId for the next page."
    )
    login: str = strawberry.field(description="The user's login.")
    account_numbers: list[str] = strawberry.field(
        description="Accounts the user holds or has linked, by number."
    )
    email: str | None = strawberry.field(description="The confirmed e-mail; null when none.")
    phone: str | None = strawberry.field(
        description="The confirmed phone, +7XXXXXXXXXX; null when none."
    )
    subscribed_to_mailing: bool = strawberry.field(
        description="The customer agreed to receive the retailer's news and offers."
    )
    receipt_copies: bool = strawberry.field(
        description="The customer wants copies of payment receipts by e-mail."
    )
    reminder_channel: ReminderChannel = strawberry.field(
        description="Where the cabinet sends the customer's reminders (readings window, meter "
        "verification); none while subscribedToMailing is off."
    )
    updated_at: datetime = strawberry.field(
        description="When the contacts or preferences last changed (registration when never)."
    )

    @classmethod
    def from_row(cls, row: ContactPreferencesRow) -> CustomerContactPreferences:
        return from_attributes(cls, row)


@strawberry.type(description="The result of customerContactPreferences.")
class CustomerContactPreferencesPayload(Payload):
    customers: list[CustomerContactPreferences] = strawberry.field(
        description="Users of the page, by id; empty when there are no more."
    )
    errors: list[UserError] = strawberry.field(description=EXPORT_PAGE_ERRORS)

    build = listing("customers", CustomerContactPreferences.from_row)


@strawberry.type(
    description="An account that gets its bills by e-mail instead of paper (the electronic bill), "
    "or went back to paper."
)
class PaperlessAccount:
    id: strawberry.ID = strawberry.field(
        description="The choice's id; pass the last one as afterId for the next page."
    )
    account_number: str = strawberry.field(description="The account number (лицевой счёт).")
    paperless: bool = strawberry.field(
        description="True: no paper bill (bills go by e-mail); false: back to paper."
    )
    since: datetime = strawberry.field(
        description="When the account went paperless, or (paperless false) back to paper."
    )
    changed_at: datetime = strawberry.field(description="When the choice last changed.")

    @classmethod
    def from_row(cls, row: PaperlessAccountRow) -> PaperlessAccount:
        return from_attributes(cls, row)


@strawberry.type(description="The result of paperlessAccounts.")
class PaperlessAccountsPayload(Payload):
    accounts: list[PaperlessAccount] = strawberry.field(
        description="Accounts of the page, by id; empty when there are no more."
    )
    errors: list[UserError] = strawberry.field(description=EXPORT_PAGE_ERRORS)

    build = listing("accounts", PaperlessAccount.from_row)
