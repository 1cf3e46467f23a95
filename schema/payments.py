"""Payments by card and SBP, their history, and status pushed to subscribers."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from decimal import Decimal
from typing import Annotated

import strawberry

import models
from resolvers import payments as resolve
from resolvers.common import Outcome
from schema.accounts import Provider, Service, recipients_of, services_of
from schema.arguments import OWN_ACCOUNT, PAYMENT_VISIBLE, OwnAccountNumber, described
from schema.common import Payload, from_attributes, money, optional, user_errors
from schema.compiled import batched_field
from schema.context import Info
from schema.enums import PaymentMethod, PaymentStatus
from services.payments import views as payments
from services.payments.create import PaymentLineRequest, PaymentRequest
from services.payments.site import SitePaymentRequest


@strawberry.type(description="The part of a payment that goes to one service.")
class PaymentLine:
    row: strawberry.Private[models.PaymentLine]
    charged: Decimal = strawberry.field(description="What the statement asked for.")
    amount: Decimal = strawberry.field(description="What the customer pays for the service.")

    service: Service = batched_field(services_of, description="The service.")

    recipient: Provider = batched_field(recipients_of, description="Who receives the money.")


@strawberry.type(description="A payment, from the cabinet or made elsewhere (bank, office).")
class Payment:
    row: strawberry.Private[models.Payment]
    # False when only the payment's capability authorizes the caller: no personal data then.
    personal: strawberry.Private[bool]
    id: strawberry.ID = strawberry.field(description="Opaque identifier.")
    method: PaymentMethod = strawberry.field(
        description="Card, SBP, or OFFLINE for payments made at a bank or an office."
    )
    status: PaymentStatus = strawberry.field(description="Current status.")
    amount: Decimal = strawberry.field(description="Total, rubles.")
    channel: str = strawberry.field(
        description="Where the payment was made, in Russian: «Личный кабинет», or the bank's or "
        "office's name."
    )
    receipt_email: str | None = strawberry.field(
        description="Where the receipt copy goes; null to a capability holder (no personal data)."
    )
    created_at: datetime = strawberry.field(description="When the payment was created.")
    paid_at: datetime | None = strawberry.field(description="When the money was received.")
    confirmation_url: str | None = strawberry.field(
        description="CARD: the acquirer's page where the customer enters card details."
    )
    sbp_payload: str | None = strawberry.field(
        description="SBP: the link that the QR code encodes."
    )
    failure_reason: str | None = strawberry.field(description="Why the payment failed, in Russian.")
    refunded_amount: Decimal = strawberry.field(
        description="What the acquirer returned to the customer of this payment, rubles: 0, "
        "part of the amount (the status stays SUCCEEDED) or all of it (status REFUNDED)."
    )
    refunded_at: datetime | None = strawberry.field(
        description="When the latest refund of this payment was received; null if none."
    )

    @classmethod
    def from_model(cls, row: models.Payment, *, personal: bool = True) -> Payment:
        return from_attributes(
            cls,
            row,
            row=row,
            personal=personal,
            method=payments.method_of(row),
            status=models.PaymentStatus(row.status),
            amount=money(row.amount),
            channel=payments.channel_name(row),
            receipt_email=row.receipt_email if personal else None,
            refunded_amount=money(row.refunded_amount),
        )

    @strawberry.field(
        description="The account paid for; to a capability holder only its last 4 digits."
    )
    async def account_number(self, info: Info) -> str:
        number = await resolve.payment_account_number(info.context, payment=self.row)
        return number if self.personal else payments.masked_account_number(number)

    @strawberry.field(description="One line per service.")
    async def lines(self, info: Info) -> list[PaymentLine]:
        rows = await resolve.payment_lines(info.context, payment=self.row)
        return [PaymentLine(row=r, charged=money(r.charged), amount=money(r.amount)) for r in rows]

    @strawberry.field(description="SBP: the QR code as an SVG document.")
    async def qr_svg(self, info: Info) -> str | None:
        return await resolve.payment_qr_svg(info.context, payment=self.row)


@strawberry.input(description="How much to pay for one service.")
class PaymentLineInput:
    service_code: str = strawberry.field(description="Service.code of a service on the account.")
    amount: Decimal = strawberry.field(
        description="Rubles, two decimals, zero or more; a line of 0.00 is left out of the payment "
        "(at least one line must be above zero)."
    )


@strawberry.input(description="A new payment.")
class CreatePaymentInput:
    account_number: str = strawberry.field(description="The account paid for.")
    method: PaymentMethod = strawberry.field(
        description="CARD or SBP (OFFLINE is refused: INVALID_INPUT)."
    )
    lines: list[PaymentLineInput] = strawberry.field(description="An amount per service.")
    total_confirmed: bool = strawberry.field(
        description="The customer ticked 'the total is correct'."
    )
    receipt_email: str | None = strawberry.field(
        default=None, description="Where to send the receipt copy."
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="Retrying with the same key returns the same payment instead of a second one.",
    )

    def to_request(self) -> PaymentRequest:
        return PaymentRequest(
            account_number=self.account_number,
            method=self.method,
            lines=[
                PaymentLineRequest(service_code=x.service_code, amount=x.amount) for x in self.lines
            ],
            total_confirmed=self.total_confirmed,
            receipt_email=self.receipt_email,
            idempotency_key=self.idempotency_key,
        )


@strawberry.input(description="A payment without signing in, from a debt look-up.")
class CreatePublicPaymentInput:
    pay_token: str = strawberry.field(
        description="Debt.payToken of a debt look-up made from the same address (IP) in the "
        "last 30 minutes: it names the account paid. One payment per token."
    )
    method: PaymentMethod = strawberry.field(
        description="CARD or SBP (OFFLINE is refused: INVALID_INPUT)."
    )
    lines: list[PaymentLineInput] = strawberry.field(
        description="An amount per service of the debt's lines."
    )
    total_confirmed: bool = strawberry.field(description="The payer ticked «итоговая сумма верна».")
    receipt_email: str = strawberry.field(
        description="Where to send the receipt: required here (nobody signed in)."
    )
    idempotency_key: str = strawberry.field(
        description="Retrying with the same token and key returns the same payment; the same "
        "token with another key is PAY_TOKEN_USED."
    )
    return_url: str | None = strawberry.field(
        default=None,
        description="A page of the retailer's site (an origin of LK_APP_URL or "
        "LK_ALLOWED_ORIGINS) where the acquirer sends the payer back, with `paymentId` and "
        "`capability` added to its query; the server's return page when null.",
    )

    def to_request(self) -> SitePaymentRequest:
        return SitePaymentRequest(
            pay_token=self.pay_token,
            request=PaymentRequest(
                account_number="",
                method=self.method,
                lines=[
                    PaymentLineRequest(service_code=x.service_code, amount=x.amount)
                    for x in self.lines
                ],
                total_confirmed=self.total_confirmed,
                receipt_email=self.receipt_email,
                idempotency_key=self.idempotency_key,
            ),
            return_url=self.return_url,
        )


@strawberry.type(description="The result of a payment mutation.")
class PaymentPayload(Payload):
    payment: Payment | None = strawberry.field(description="The payment, on success.")
    capability: str | None = strawberry.field(
        default=None,
        description="createPayment, createPublicPayment: a secret that lets whoever holds it "
        "follow this payment's "
        "amount and status without signing in (`paymentStatus(id, capability)`; the acquirer's "
        "return URL carries it). Null on errors and from cancelPayment.",
    )

    @classmethod
    def build(
        cls,
        outcome: Outcome[models.Payment],
        *,
        capability: str | None = None,
        personal: bool = True,
    ) -> PaymentPayload:
        value = outcome.value
        return cls(
            payment=Payment.from_model(value, personal=personal) if value else None,
            errors=user_errors(outcome),
            capability=capability if outcome.value is not None else None,
        )


@strawberry.type
class PaymentsQuery:
    @strawberry.field(description="A payment the signed-in user made or may see; null otherwise.")
    async def payment(
        self,
        info: Info,
        id: Annotated[strawberry.ID, described(f"Payment.id. {PAYMENT_VISIBLE} Null otherwise.")],
    ) -> Payment | None:
        return optional(Payment.from_model)(await resolve.payment(info.context, payment_id=str(id)))


@strawberry.type
class PaymentsMutation:
    @strawberry.mutation(
        description="Creates a payment and registers it with the acquirer. Signed-in users, own accounts."
    )
    async def create_payment(
        self,
        info: Info,
        input: Annotated[
            CreatePaymentInput, described(f"The account, the amounts and the method. {OWN_ACCOUNT}")
        ],
    ) -> PaymentPayload:
        outcome = await resolve.create_payment(info.context, request=input.to_request())
        return PaymentPayload.build(
            outcome, capability=resolve.payment_capability(info.context, payment=outcome.value)
        )

    @strawberry.mutation(
        description="Pays an account without signing in, from a debt look-up's payToken (no "
        "second security code): card or SBP, an amount per service, the total confirmed, a "
        "receipt e-mail (required). Answers like createPayment, with the capability that "
        "`paymentStatus(id, capability)` follows; the payment carries no personal data "
        "(receiptEmail null, accountNumber masked). Limited per address and per account."
    )
    async def create_public_payment(
        self,
        info: Info,
        input: Annotated[
            CreatePublicPaymentInput,
            described("The pay token, the amounts, the method and the receipt e-mail."),
        ],
    ) -> PaymentPayload:
        outcome = await resolve.create_public_payment(info.context, request=input.to_request())
        return PaymentPayload.build(
            outcome,
            capability=resolve.payment_capability(info.context, payment=outcome.value),
            personal=False,
        )

    @strawberry.mutation(description="Cancels a PENDING payment.")
    async def cancel_payment(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, described(f"Payment.id of a PENDING payment. {PAYMENT_VISIBLE}")
        ],
    ) -> PaymentPayload:
        return PaymentPayload.build(await resolve.cancel_payment(info.context, payment_id=str(id)))


@strawberry.type
class PaymentsSubscription:
    @strawberry.subscription(
        description="Status changes of one payment; the first message is its current state."
    )
    async def payment_status(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            described(
                "Payment.id. Requires sign-in and a payment the user made or on one of their "
                "accounts, or the payment's capability."
            ),
        ],
        capability: Annotated[
            str | None,
            described(
                "The payment's capability (from createPayment or the return URL): allowed without "
                "signing in; the payment then carries no personal data (receiptEmail null, "
                "accountNumber masked)."
            ),
        ] = None,
    ) -> AsyncGenerator[Payment, None]:
        personal = await resolve.payment_is_personal(info.context, payment_id=str(id))
        async for row in resolve.payment_status(
            info.context, payment_id=str(id), capability=capability
        ):
            yield Payment.from_model(row, personal=personal)

    @strawberry.subscription(
        description="Every payment change on one of the user's accounts, for dashboards."
    )
    async def account_payments(
        self, info: Info, account_number: OwnAccountNumber
    ) -> AsyncGenerator[Payment, None]:
        async for row in resolve.account_payments_feed(info.context, account_number=account_number):
            yield Payment.from_model(row)
