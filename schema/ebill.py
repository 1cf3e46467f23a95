"""The electronic bill (электронная квитанция): bills by e-mail instead of paper
(services.ebill; docs/public-services.md#electronic-bill)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

import strawberry

from resolvers import ebill as resolve
from resolvers.common import Outcome
from schema.arguments import CaptchaAnswer, CaptchaId, OwnAccountNumber, described
from schema.common import (
    OkPayload,
    Payload,
    UserError,
    answers,
    forward,
    from_attributes,
    user_errors,
)
from schema.context import Info
from schema.enums import EbillSource
from services.ebill.subscriptions import EbillState, LinkDone


@strawberry.type(
    description="The account's electronic bill: whether its bills come by e-mail instead of "
    "paper, and where."
)
class Ebill:
    enabled: bool = strawberry.field(
        description="True: each new bill comes as a PDF by e-mail, and no paper bill."
    )
    email: str | None = strawberry.field(
        description="Where the bills go: in full when it is the signed-in user's confirmed "
        "e-mail, masked (iv***@ivan.ru) otherwise; null when not enabled."
    )
    since: datetime | None = strawberry.field(description="When it was enabled; null when not.")
    source: EbillSource | None = strawberry.field(
        description="Where it was ordered; null when not enabled."
    )

    @classmethod
    def from_state(cls, state: EbillState) -> Ebill:
        return from_attributes(cls, state)


@strawberry.type(description="The result of enableEbill and disableEbill.")
class EbillPayload(Payload):
    ebill: Ebill | None = strawberry.field(
        description="The account's electronic bill now; null when errors are answered."
    )

    build = answers("ebill", Ebill.from_state)


@strawberry.type(
    description="The result of a button of a link in an e-mail (confirmEbill, disableEbillByLink)."
)
class EbillLinkPayload(Payload):
    account_number: str | None = strawberry.field(
        description="The account whose bills now come by e-mail (confirmEbill) or on paper again "
        "(disableEbillByLink); null on errors."
    )
    email: str | None = strawberry.field(
        description="confirmEbill: the confirmed address the bills go to; disableEbillByLink: the "
        "address they no longer go to, masked. Null on errors."
    )
    errors: list[UserError] = strawberry.field(
        description="INVALID_CODE (not a link of ours); CODE_EXPIRED (expired, used, or the bill "
        "was ordered again since that e-mail); empty on success (also when the bill was already "
        "off)."
    )

    @classmethod
    def build(cls, outcome: Outcome[LinkDone]) -> EbillLinkPayload:
        done = outcome.value
        return cls(
            account_number=done.account_number if done else None,
            email=done.email if done else None,
            errors=user_errors(outcome),
        )


LinkToken = Annotated[str, described("The token of the link in the e-mail (its token parameter).")]


@strawberry.type
class EbillMutation:
    @strawberry.mutation(
        description="Bills of one of the user's accounts by e-mail instead of paper, to the "
        "user's confirmed e-mail (REQUIRED on email without one). Each new bill then comes as a "
        "PDF as soon as billing imports it."
    )
    @forward(resolve.enable_ebill, EbillPayload.build)
    async def enable_ebill(self, info: Info, account_number: OwnAccountNumber) -> EbillPayload:
        raise NotImplementedError

    @strawberry.mutation(description="Bills of one of the user's accounts on paper again.")
    @forward(resolve.disable_ebill, EbillPayload.build)
    async def disable_ebill(self, info: Info, account_number: OwnAccountNumber) -> EbillPayload:
        raise NotImplementedError

    @strawberry.mutation(
        description="Orders the electronic bill without signing in: sends a link to the e-mail "
        "given; bills go there once the link's button is pressed (confirmEbill). The person "
        "proves they hold the bill by billTotal; an unknown number, an account without any bill "
        "and a wrong total all answer the same NOT_FOUND on billTotal. Needs a solved security "
        "code (spent by the check); limited per source, per account number and per e-mail "
        "address (RATE_LIMITED), every try reserved before it is judged."
    )
    @forward(resolve.request_ebill, OkPayload.build)
    async def request_ebill(
        self,
        info: Info,
        account_number: Annotated[
            str,
            described("The account number printed on the bill (лицевой счёт). No sign-in needed."),
        ],
        bill_total: Annotated[
            Decimal,
            described("«Итого к оплате» of one of the account's last three bills, e.g. '272.09'."),
        ],
        email: Annotated[str, described("Where the bills should go; it is confirmed by a link.")],
        captcha_id: CaptchaId,
        captcha_answer: CaptchaAnswer,
    ) -> OkPayload:
        raise NotImplementedError

    @strawberry.mutation(
        description="The button of the link requestEbill sent: the account's bills go to that "
        "address from now on. A link works once, for 24 hours. No sign-in needed."
    )
    @forward(resolve.confirm_ebill, EbillLinkPayload.build)
    async def confirm_ebill(self, info: Info, token: LinkToken) -> EbillLinkPayload:
        raise NotImplementedError

    @strawberry.mutation(
        description="The button of the opt-out link in every bill e-mail: bills on paper again. "
        "No sign-in needed; pressing it again answers the same."
    )
    @forward(resolve.disable_ebill_by_link, EbillLinkPayload.build)
    async def disable_ebill_by_link(self, info: Info, token: LinkToken) -> EbillLinkPayload:
        raise NotImplementedError
