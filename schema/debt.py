"""Debt look-up without signing in: what a paper bill shows anyway (services.accounts.debt)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import strawberry

from resolvers import debt as resolve
from schema.accounts import Service
from schema.arguments import CaptchaAnswer, CaptchaId, described
from schema.common import Payload, UserError, answers, forward, from_attributes, money
from schema.context import Info
from services.accounts.debt import Debt as DebtView


@strawberry.type(description="One service's amount to pay in the latest statement.")
class DebtLine:
    service: Service = strawberry.field(description="The service, as printed on the bill.")
    to_pay: Decimal = strawberry.field(description="К оплате for this service, in rubles.")


@strawberry.type(
    description="What the latest bill of an account shows anyway, without signing in: the "
    "holder and address masked, the amounts to pay."
)
class Debt:
    holder_name: str = strawberry.field(
        description="The holder's surname and initials only, e.g. «Иванов И. И.»."
    )
    address: str = strawberry.field(
        description="The address to the city and street only (no house or flat)."
    )
    period: date = strawberry.field(description="The latest statement's month (its first day).")
    lines: list[DebtLine] = strawberry.field(description="One line per service of the statement.")
    total_to_pay: Decimal = strawberry.field(description="Итого к оплате, in rubles.")
    pay_token: str = strawberry.field(
        description="Lets this look-up be paid without signing in and without another security "
        "code: createPublicPayment(input.payToken). Good for one payment of this account, from "
        "the same address (IP), until payTokenExpiresAt (30 minutes)."
    )
    pay_token_expires_at: datetime = strawberry.field(
        description="When payToken stops being accepted."
    )

    @classmethod
    def from_view(cls, view: DebtView) -> Debt:
        return from_attributes(
            cls,
            view,
            lines=[
                DebtLine(service=Service.from_model(line.service), to_pay=money(line.to_pay))
                for line in view.lines
            ],
            total_to_pay=money(view.total_to_pay),
            pay_token=view.pay_token.value,
            pay_token_expires_at=view.pay_token.expires_at,
        )


@strawberry.type(description="The result of a debt look-up.")
class DebtPayload(Payload):
    debt: Debt | None = strawberry.field(description="The debt; null when errors are answered.")
    errors: list[UserError] = strawberry.field(
        description="Expected failures (CAPTCHA_INVALID, RATE_LIMITED, NOT_FOUND); empty on "
        "success."
    )

    build = answers("debt", Debt.from_view)


DebtAccountNumber = Annotated[
    str,
    described(
        "The account number printed on the bill (лицевой счёт). No sign-in needed; an unknown "
        "number and an account without any statement answer the same NOT_FOUND."
    ),
]


@strawberry.type
class DebtQuery:
    @strawberry.field(
        description="The latest bill's amounts to pay of an account, without signing in: needs a "
        "solved security code (spent by the check); limited per source and per account number."
    )
    @forward(resolve.debt_by_number, DebtPayload.build)
    async def debt(
        self,
        info: Info,
        account_number: DebtAccountNumber,
        captcha_id: CaptchaId,
        captcha_answer: CaptchaAnswer,
    ) -> DebtPayload:
        raise NotImplementedError
