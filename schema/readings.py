"""Meters, registers, readings: preview, submission, history, and readings without signing in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import strawberry

import models
from resolvers import readings as resolve
from resolvers.common import Outcome
from schema.accounts import Service, services_of
from schema.arguments import OWN_ACCOUNT, CaptchaAnswer, CaptchaId, OwnAccountNumber, described
from schema.common import (
    Payload,
    answers,
    forward,
    from_attributes,
    money,
    optional,
    plain,
    rate,
    user_errors,
)
from schema.compiled import batched_field
from schema.context import Info
from schema.enums import DueStatus, MeterKind, MeterZone, ReadingSource, ReadingStatus
from services.readings import due
from services.readings.views import (
    Preview,
    PreviewLine,
    ReadingEntry,
    ReadingView,
    Submission,
    shown_serial,
)


@strawberry.type(description="A meter reading of one register.")
class Reading:
    id: strawberry.ID = strawberry.field(description="Opaque identifier.")
    meter_serial_number: str = strawberry.field(description="Serial number of the meter.")
    zone: MeterZone = strawberry.field(description="Tariff zone of the register.")
    value: Decimal = strawberry.field(description="The reading.")
    consumption: Decimal | None = strawberry.field(
        description="Consumption since the previous reading of this register, when known."
    )
    source: ReadingSource = strawberry.field(description="Where the reading came from.")
    status: ReadingStatus = strawberry.field(description="Whether billing accepted it.")
    rejection_reason: str | None = strawberry.field(
        description="Why billing rejected the reading, as billing wrote it; null unless REJECTED."
    )
    taken_at: datetime = strawberry.field(description="When the reading was taken or entered.")
    period: date = strawberry.field(
        description="The billing period (first day of a month) the reading counts for."
    )

    @classmethod
    def from_view(cls, view: ReadingView) -> Reading:
        return from_attributes(
            cls,
            view,
            value=plain(view.value),
            consumption=None if view.consumption is None else plain(view.consumption),
        )


async def _readings(
    info: Info,
    parents: list[MeterRegister],
    read: Callable[..., Awaitable[list[ReadingView | None]]],
) -> list[Reading | None]:
    """The registers' readings by `read`; none through publicMeters."""
    private = [p.row for p in parents if not p.public]
    views = iter(await read(info.context, registers=private) if private else [])
    return [None if p.public else optional(Reading.from_view)(next(views)) for p in parents]


async def _period_starts(info: Info, parents: list[MeterRegister]) -> list[Reading | None]:
    return await _readings(info, parents, resolve.register_period_start)


async def _currents(info: Info, parents: list[MeterRegister]) -> list[Reading | None]:
    return await _readings(info, parents, resolve.register_current)


@strawberry.type(description="One register (tariff zone) of a meter.")
class MeterRegister:
    row: strawberry.Private[models.MeterRegister]
    zone: MeterZone = strawberry.field(description="Tariff zone.")
    description: str = strawberry.field(description="As printed on the bill, e.g. 'День'.")
    # Shown without signing in (publicMeters): no readings, which are the holder's history.
    public: strawberry.Private[bool] = False

    period_start: Reading | None = batched_field(
        _period_starts,
        description="The reading the current period starts from; null through publicMeters.",
    )

    current: Reading | None = batched_field(
        _currents,
        description="The reading entered in the current period, if any; null through publicMeters.",
    )


async def _registers(info: Info, parents: list[Meter]) -> list[list[MeterRegister]]:
    rows = await resolve.meter_registers(info.context, meters=[p.row for p in parents])
    return [
        [
            MeterRegister(
                row=r, zone=models.MeterZone(r.zone), description=r.description, public=p.public
            )
            for r in registers
        ]
        for p, registers in zip(parents, rows, strict=True)
    ]


@strawberry.type(
    description="The readings of a meter due now: the period readings entered today count for, "
    "the submission window, and whether this period's readings were sent and what billing said."
)
class MeterReadingsDue:
    period: date = strawberry.field(
        description="The billing period (first day of a month) readings entered today count for: "
        "the current one inside the submission window, the next one outside it."
    )
    window_open: bool = strawberry.field(
        description="Whether today (retailer's local calendar) is a day of the submission window."
    )
    window_opens_on: date = strawberry.field(
        description="First day of the submission window: today's when it is open, otherwise the "
        "next one."
    )
    window_closes_on: date = strawberry.field(
        description="Last day of the submission window: today's when it is open, otherwise the "
        "next one."
    )
    status: DueStatus = strawberry.field(
        description="The meter's readings for `period`, all registers together."
    )
    rejection_reason: str | None = strawberry.field(
        description="Why billing rejected a reading of the period, as billing wrote it; null "
        "unless REJECTED."
    )

    @classmethod
    def from_due(cls, value: due.ReadingsDue) -> MeterReadingsDue:
        window = value.window
        return from_attributes(
            cls,
            value,
            period=window.period,
            window_open=window.open,
            window_opens_on=window.opens_on,
            window_closes_on=window.closes_on,
        )


@strawberry.type(description="The next metrological verification (поверка) of a meter.")
class VerificationDue:
    date: date = strawberry.field(description="Date of the next verification.")
    days_left: int = strawberry.field(
        description="Days from today (retailer's local calendar) to the date; negative when past."
    )
    within_60_days: bool = strawberry.field(
        name="within60Days", description="Whether the date is at most 60 days away (or past)."
    )
    within_14_days: bool = strawberry.field(
        name="within14Days", description="Whether the date is at most 14 days away (or past)."
    )
    overdue: bool = strawberry.field(description="Whether the date has passed.")

    @classmethod
    def from_due(cls, value: due.VerificationDue) -> VerificationDue:
        return from_attributes(cls, value)


@strawberry.type(description="A meter of an account.")
class Meter:
    row: strawberry.Private[models.Meter]
    id: strawberry.ID = strawberry.field(
        description="Opaque identifier; pass it in ReadingInput.meterId."
    )
    serial_number: str = strawberry.field(
        description="Serial number (заводской номер); through publicMeters only its last three "
        "characters, e.g. «…060»."
    )
    kind: MeterKind = strawberry.field(description="Individual or common meter.")
    next_verification_date: date | None = strawberry.field(
        description="Date of the next metrological verification (поверка); null through "
        "publicMeters."
    )
    # Shown without signing in (publicMeters): what it takes to enter a reading, nothing more.
    public: strawberry.Private[bool] = False

    @classmethod
    def from_model(cls, row: models.Meter, *, public: bool = False) -> Meter:
        return cls(
            row=row,
            id=strawberry.ID(str(row.id)),
            serial_number=shown_serial(row.serial_number, public),
            kind=models.MeterKind(row.kind),
            next_verification_date=None if public else row.next_verification_date,
            public=public,
        )

    service: Service = batched_field(services_of, description="The metered service.")

    @strawberry.field(
        description="What is due for this meter's readings now; null through publicMeters."
    )
    async def readings_due(self, info: Info) -> MeterReadingsDue | None:
        if self.public:
            return None
        return MeterReadingsDue.from_due(
            await resolve.meter_readings_due(info.context, meter=self.row)
        )

    @strawberry.field(
        description="How far the next verification is; null when its date is not known and "
        "through publicMeters."
    )
    def verification_due(self, info: Info) -> VerificationDue | None:
        if self.public:
            return None
        value = resolve.meter_verification_due(info.context, meter=self.row)
        return None if value is None else VerificationDue.from_due(value)

    registers: list[MeterRegister] = batched_field(
        _registers, description="Registers, one per tariff zone."
    )


@strawberry.input(description="A new reading of one register.")
class ReadingInput:
    meter_id: strawberry.ID = strawberry.field(description="Meter.id.")
    zone: MeterZone = strawberry.field(description="The register's zone.")
    value: Decimal = strawberry.field(
        description="The reading: a whole number, digits before the comma."
    )

    def to_entry(self) -> ReadingEntry:
        return ReadingEntry(meter_id=str(self.meter_id), zone=self.zone, value=self.value)


def to_entries(readings: list[ReadingInput]) -> list[ReadingEntry]:
    return [r.to_entry() for r in readings]


@strawberry.type(description="What one new reading means: consumption and its cost.")
class ReadingPreviewLine:
    meter_serial_number: str = strawberry.field(description="Serial number of the meter.")
    zone: MeterZone = strawberry.field(description="Tariff zone.")
    previous: Decimal = strawberry.field(description="The reading the period starts from.")
    value: Decimal = strawberry.field(description="The new reading.")
    consumption: Decimal = strawberry.field(description="value - previous.")
    rate: Decimal = strawberry.field(description="Rubles per unit in this zone.")
    cost: Decimal = strawberry.field(description="consumption × rate, rubles.")

    @classmethod
    def from_line(cls, line: PreviewLine) -> ReadingPreviewLine:
        return cls(
            meter_serial_number=line.meter_serial_number,
            zone=line.zone,
            previous=plain(line.previous),
            value=plain(line.value),
            consumption=plain(line.consumption),
            rate=rate(line.rate),
            cost=money(line.cost),
        )


@strawberry.type(
    description="Consumption and cost of new readings, shown before the customer confirms."
)
class ReadingPreview:
    lines: list[ReadingPreviewLine] = strawberry.field(description="One line per register.")
    total_consumption: Decimal = strawberry.field(description="Sum of consumption.")
    total_cost: Decimal = strawberry.field(description="Sum of cost, rubles.")
    period: date | None = strawberry.field(
        description="The billing period (first day of a month) the readings would count for: "
        "the next one when entered outside the submission window."
    )
    notice: str | None = strawberry.field(
        description="A message in Russian when the readings would count for the next period; "
        "null otherwise."
    )

    @classmethod
    def from_preview(cls, preview: Preview) -> ReadingPreview:
        return cls(
            lines=[ReadingPreviewLine.from_line(line) for line in preview.lines],
            total_consumption=plain(preview.total_consumption),
            total_cost=money(preview.total_cost),
            period=preview.period,
            notice=preview.notice,
        )


@strawberry.type(description="The result of previewReadings.")
class ReadingPreviewPayload(Payload):
    preview: ReadingPreview | None = strawberry.field(
        description="The preview, when the input is valid."
    )

    build = answers("preview", ReadingPreview.from_preview)


@strawberry.type(description="The result of submitting readings.")
class ReadingsPayload(Payload):
    readings: list[Reading] = strawberry.field(description="The stored readings; empty on failure.")
    period: date | None = strawberry.field(
        description="The billing period (first day of a month) the readings count for: the next "
        "one when entered outside the submission window; null on failure."
    )
    notice: str | None = strawberry.field(
        description="A message in Russian when the readings count for the next period; null "
        "otherwise."
    )

    @classmethod
    def build(cls, outcome: Outcome[Submission]) -> ReadingsPayload:
        submission = outcome.value
        return cls(
            readings=[Reading.from_view(v) for v in submission.readings] if submission else [],
            errors=user_errors(outcome),
            period=submission.period if submission else None,
            notice=submission.notice if submission else None,
        )


PublicAccountNumber = Annotated[
    str,
    described(
        "The account number printed on the bill (лицевой счёт); its holder must allow readings "
        "without signing in."
    ),
]
OwnReadings = Annotated[
    list[ReadingInput],
    described(f"One new reading per register of the account's meters. {OWN_ACCOUNT}"),
]


@strawberry.type
class ReadingsQuery:
    @strawberry.field(
        description="Meters of an account whose holder allows readings without signing in; null "
        "otherwise. Needs a solved security code, which then also serves submitPublicReadings "
        "for this account."
    )
    async def public_meters(
        self,
        info: Info,
        account_number: PublicAccountNumber,
        captcha_id: CaptchaId,
        captcha_answer: CaptchaAnswer,
    ) -> list[Meter] | None:
        rows = await resolve.public_meters(
            info.context,
            account_number=account_number,
            captcha_id=str(captcha_id),
            captcha_answer=captcha_answer,
        )
        return None if rows is None else [Meter.from_model(r, public=True) for r in rows]


@strawberry.type
class ReadingsMutation:
    @strawberry.mutation(
        description="Consumption and cost of new readings, before submitting them. Signed-in users, own accounts."
    )
    @forward(resolve.preview_readings, ReadingPreviewPayload.build, readings=to_entries)
    async def preview_readings(
        self, info: Info, account_number: OwnAccountNumber, readings: OwnReadings
    ) -> ReadingPreviewPayload:
        raise NotImplementedError

    @strawberry.mutation(
        description="Stores new readings (PENDING until billing accepts them). Signed-in users, own accounts."
    )
    @forward(resolve.submit_readings, ReadingsPayload.build, readings=to_entries)
    async def submit_readings(
        self, info: Info, account_number: OwnAccountNumber, readings: OwnReadings
    ) -> ReadingsPayload:
        raise NotImplementedError

    @strawberry.mutation(
        description="Readings without signing in, where the holder allows it; needs the security "
        "code (a fresh one, or the one solved in publicMeters for this account). Never replaces a "
        "reading the holder entered in the cabinet for the period. The answer shows serial "
        "numbers masked and no consumption."
    )
    @forward(resolve.submit_public_readings, ReadingsPayload.build, readings=to_entries)
    async def submit_public_readings(
        self,
        info: Info,
        account_number: PublicAccountNumber,
        readings: Annotated[
            list[ReadingInput], described("One new reading per register of the account's meters.")
        ],
        captcha_id: Annotated[
            strawberry.ID,
            described(
                "Captcha.id of the security code: a fresh one, or the one solved in publicMeters "
                "for this account."
            ),
        ],
        captcha_answer: CaptchaAnswer,
    ) -> ReadingsPayload:
        raise NotImplementedError
