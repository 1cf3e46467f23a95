"""Sign-in, registration, the security code, password recovery and the user's profile."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

import models
from resolvers import accounts as resolve_accounts
from resolvers import identity as resolve
from resolvers import questions as resolve_questions
from resolvers.common import Outcome
from schema.accounts import Account, AccountPayload
from schema.arguments import (
    SIGNED_IN,
    CaptchaAnswer,
    CaptchaId,
    CurrentPassword,
    NewPassword,
    OwnAccountNumber,
    PasswordRepeat,
    RegistrationId,
    described,
)
from schema.common import (
    Connection,
    OkPayload,
    Payload,
    answers,
    forward,
    from_attributes,
    optional,
    user_errors,
)
from schema.compiled import batched_field
from schema.context import Info
from schema.enums import ContactChannel, ReminderChannel
from schema.questions import QuestionPageAfter, QuestionPageSize
from schema.registration import (
    Captcha,
    RegistrationPayload,
    StartRegistrationInput,
)
from services.identity.auth import Tokens
from services.identity.recovery import PasswordResetView

if TYPE_CHECKING:
    from schema.questions import Question


async def _accounts(info: Info, parents: list[User]) -> list[list[Account]]:
    rows = await resolve_accounts.user_accounts(info.context, users=[p.row for p in parents])
    return [[Account.from_model(r) for r in accounts] for accounts in rows]


@strawberry.type(description="A registered customer.")
class User:
    row: strawberry.Private[models.User]
    id: strawberry.ID = strawberry.field(description="Opaque identifier.")
    login: str = strawberry.field(description="Login as the customer chose it.")
    email: str | None = strawberry.field(description="Confirmed e-mail, if any.")
    email_confirmed: bool = strawberry.field(description="The e-mail was confirmed by a link.")
    phone: str | None = strawberry.field(description="Phone, +7XXXXXXXXXX.")
    phone_confirmed: bool = strawberry.field(description="The phone was confirmed by an SMS code.")
    city: str = strawberry.field(description="City.")
    subscribed_to_mailing: bool = strawberry.field(description="Receives the retailer's mailings.")
    allow_readings_without_auth: bool = strawberry.field(
        description="Readings of the user's own accounts may be entered without signing in."
    )
    receipt_copies: bool = strawberry.field(
        description="Receives receipt copies of payments by e-mail."
    )
    reminder_channel: ReminderChannel = strawberry.field(
        description="Where reminders go (readings window, meter verification); none while "
        "subscribedToMailing is off."
    )

    @classmethod
    def from_model(cls, row: models.User) -> User:
        return from_attributes(cls, row, row=row)

    accounts: list[Account] = batched_field(
        _accounts, description="Accounts the user holds or linked."
    )

    @strawberry.field(
        description="Questions the user sent to support, with their answers, newest first."
    )
    async def questions(
        self, info: Info, first: QuestionPageSize = None, after: QuestionPageAfter = None
    ) -> Connection[Annotated[Question, strawberry.lazy("schema.questions")]]:
        from schema.questions import Question

        page = await resolve_questions.user_questions(
            info.context, user=self.row, first=first, after=after
        )
        return Connection.from_page(page, Question.from_model)


@strawberry.type(description="Tokens of a new or refreshed session.")
class AuthPayload(Payload):
    access_token: str | None = strawberry.field(
        description="Send as 'Authorization: Bearer <accessToken>'."
    )
    refresh_token: str | None = strawberry.field(
        description="Exchange for new tokens with refreshToken; single use."
    )
    expires_at: datetime | None = strawberry.field(description="When the access token expires.")
    user: User | None = strawberry.field(description="The signed-in user.")

    @classmethod
    def build(cls, outcome: Outcome[Tokens]) -> AuthPayload:
        tokens = outcome.value
        if tokens is None:
            return cls(
                access_token=None,
                refresh_token=None,
                expires_at=None,
                user=None,
                errors=user_errors(outcome),
            )
        return cls(
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            expires_at=tokens.expires_at,
            user=User.from_model(tokens.user),
            errors=[],
        )


@strawberry.type(description="The result of verifyPasswordReset.")
class PasswordResetPayload(Payload):
    reset_token: str | None = strawberry.field(
        description="Token for resetPassword once the code or the link is verified."
    )
    logins: list[str] = strawberry.field(
        description="Logins registered on that phone or e-mail, to choose from."
    )

    @classmethod
    def build(cls, outcome: Outcome[PasswordResetView]) -> PasswordResetPayload:
        view = outcome.value
        return cls(
            reset_token=view.reset_token if view else None,
            logins=view.logins if view else [],
            errors=user_errors(outcome),
        )


@strawberry.type(description="The result of a profile mutation.")
class UserPayload(Payload):
    user: User | None = strawberry.field(description="The user, on success.")

    build = answers("user", User.from_model)


async def _change_contact(
    info: Info, channel: ContactChannel, contact: str, current_password: str
) -> OkPayload:
    """changeEmail and changePhone: one flow, told apart by the channel."""
    outcome = await resolve.change_contact(
        info.context, channel=channel, contact=contact, current_password=current_password
    )
    return OkPayload.build(outcome)


@strawberry.type
class IdentityQuery:
    @strawberry.field(description="The signed-in user; null without a valid access token.")
    async def me(self, info: Info) -> User | None:
        return optional(User.from_model)(await info.context.user())

    @strawberry.field(
        description="A fresh security-code challenge for the registration, recovery and public-readings forms."
    )
    @forward(resolve.captcha, Captcha.from_view)
    async def captcha(self, info: Info) -> Captcha:
        raise NotImplementedError


@strawberry.type
class IdentityMutation:
    @strawberry.mutation(
        description="Step 1: login, password, phone or e-mail, city, security code, consent."
    )
    async def start_registration(
        self,
        info: Info,
        input: Annotated[
            StartRegistrationInput, described("The registration form, as the customer filled it.")
        ],
    ) -> RegistrationPayload:
        return RegistrationPayload.build(
            await resolve.start_registration(info.context, request=input.to_request())
        )

    @strawberry.mutation(
        description=(
            "Step 2: bind the account number from the bill; returns its address (city and "
            "street) to confirm. An unknown number and an account that is already registered "
            "answer alike (NOT_FOUND); limited per registration (TOO_MANY_ATTEMPTS) and per "
            "source (RATE_LIMITED)."
        )
    )
    @forward(resolve.bind_account, RegistrationPayload.build)
    async def bind_account(
        self,
        info: Info,
        registration_id: RegistrationId,
        account_number: Annotated[
            str, described("The account number printed on the bill (лицевой счёт).")
        ],
    ) -> RegistrationPayload:
        raise NotImplementedError

    @strawberry.mutation(
        description=(
            "Step 3: the customer confirmed the address and proved they hold the bill; sends "
            "the SMS code or the activation e-mail. A wrong total is INVALID_INPUT (field "
            "billTotal); tries are limited per registration and per account a day "
            "(TOO_MANY_ATTEMPTS); an account without any bill yet is NOT_FOUND (bound at the "
            "office)."
        )
    )
    @forward(resolve.confirm_binding, RegistrationPayload.build)
    async def confirm_binding(
        self,
        info: Info,
        registration_id: RegistrationId,
        bill_total: Annotated[
            Decimal,
            described("«Итого к оплате» of one of the account's last three bills, e.g. '272.09'."),
        ],
    ) -> RegistrationPayload:
        raise NotImplementedError

    @strawberry.mutation(description="Resend the SMS code or the e-mail (codes: at most 3 a day).")
    @forward(resolve.resend_registration_code, RegistrationPayload.build)
    async def resend_registration_code(
        self, info: Info, registration_id: RegistrationId
    ) -> RegistrationPayload:
        raise NotImplementedError

    @strawberry.mutation(description="Step 4 (phone): the 4-digit code from the SMS.")
    @forward(resolve.complete_registration, AuthPayload.build)
    async def complete_registration(
        self,
        info: Info,
        registration_id: RegistrationId,
        code: Annotated[str, described("The 4-digit code from the SMS.")],
    ) -> AuthPayload:
        raise NotImplementedError

    @strawberry.mutation(description="Step 4 (e-mail): the token from the activation link.")
    @forward(resolve.activate_email, AuthPayload.build)
    async def activate_email(
        self,
        info: Info,
        token: Annotated[str, described("The token from the activation link in the e-mail.")],
    ) -> AuthPayload:
        raise NotImplementedError

    @strawberry.mutation(
        description=(
            "Signs in; a wrong login or password both answer INVALID_CREDENTIALS. After a few "
            "failures for the login (or many from one address) it answers CAPTCHA_REQUIRED "
            "until a solved security code is given with the password; a flood from one "
            "address answers RATE_LIMITED. One sign-in per request."
        )
    )
    @forward(resolve.login, AuthPayload.build)
    async def login(
        self,
        info: Info,
        login: Annotated[str, described("The login chosen at registration.")],
        password: Annotated[str, described("The user's password.")],
        captcha_id: Annotated[
            strawberry.ID | None,
            described("Captcha.id, when CAPTCHA_REQUIRED was answered."),
        ] = None,
        captcha_answer: Annotated[
            str | None,
            described("The characters in the captcha image."),
        ] = None,
    ) -> AuthPayload:
        raise NotImplementedError

    @strawberry.mutation(description="Exchanges a refresh token (single use) for new tokens.")
    @forward(resolve.refresh_token, AuthPayload.build)
    async def refresh_token(
        self,
        info: Info,
        refresh_token: Annotated[
            str, described("AuthPayload.refreshToken of the session; each one works once.")
        ],
    ) -> AuthPayload:
        raise NotImplementedError

    @strawberry.mutation(description="Ends the current session.")
    @forward(resolve.logout, OkPayload.build)
    async def logout(self, info: Info) -> OkPayload:
        raise NotImplementedError

    @strawberry.mutation(
        description="Sends a code (phone) or a link (e-mail); answers the same whether or not the contact is known."
    )
    @forward(resolve.request_password_reset, OkPayload.build)
    async def request_password_reset(
        self,
        info: Info,
        channel: Annotated[ContactChannel, described("Whether contact is a phone or an e-mail.")],
        contact: Annotated[
            str, described("The phone (+7XXXXXXXXXX) or e-mail address the user confirmed.")
        ],
        captcha_id: CaptchaId,
        captcha_answer: CaptchaAnswer,
    ) -> OkPayload:
        raise NotImplementedError

    @strawberry.mutation(description="Checks the SMS code or the token from the e-mail link.")
    @forward(resolve.verify_password_reset, PasswordResetPayload.build)
    async def verify_password_reset(
        self,
        info: Info,
        contact: Annotated[str, described("The phone or e-mail address the code was sent to.")],
        code: Annotated[
            str, described("The code from the SMS, or the token from the e-mail link.")
        ],
    ) -> PasswordResetPayload:
        raise NotImplementedError

    @strawberry.mutation(description="Sets a new password and ends every session of that user.")
    @forward(resolve.reset_password, OkPayload.build)
    async def reset_password(
        self,
        info: Info,
        reset_token: Annotated[
            str, described("PasswordResetPayload.resetToken, from verifyPasswordReset.")
        ],
        login: Annotated[
            str, described("Whose password to set: one of PasswordResetPayload.logins.")
        ],
        password: NewPassword,
        password_repeat: PasswordRepeat,
    ) -> OkPayload:
        raise NotImplementedError

    @strawberry.mutation(
        description="Changes the password and ends the user's other sessions. Signed-in users."
    )
    @forward(resolve.change_password, OkPayload.build)
    async def change_password(
        self,
        info: Info,
        current_password: CurrentPassword,
        password: Annotated[
            str, described(f"The new password: at least 8 characters, not the login. {SIGNED_IN}")
        ],
        password_repeat: Annotated[str, described(f"The new password again. {SIGNED_IN}")],
    ) -> OkPayload:
        raise NotImplementedError

    @strawberry.mutation(
        description=(
            "Sends a confirmation link to the new address; it replaces the old one once "
            "confirmed, and the old address (or the phone) is told. Signed-in users."
        )
    )
    async def change_email(
        self,
        info: Info,
        email: Annotated[str, described(f"The new e-mail address. {SIGNED_IN}")],
        current_password: CurrentPassword,
    ) -> OkPayload:
        return await _change_contact(info, ContactChannel.EMAIL, email, current_password)

    @strawberry.mutation(description="Confirms the new e-mail with the token from the link.")
    @forward(resolve.confirm_email, UserPayload.build)
    async def confirm_email(
        self,
        info: Info,
        token: Annotated[str, described("The token from the confirmation link in the e-mail.")],
    ) -> UserPayload:
        raise NotImplementedError

    @strawberry.mutation(
        description=(
            "Sends a code to the new number; once confirmed, the old number (or the e-mail) is "
            "told. Signed-in users."
        )
    )
    async def change_phone(
        self,
        info: Info,
        phone: Annotated[str, described(f"The new phone number, +7XXXXXXXXXX. {SIGNED_IN}")],
        current_password: CurrentPassword,
    ) -> OkPayload:
        return await _change_contact(info, ContactChannel.PHONE, phone, current_password)

    @strawberry.mutation(description="Confirms the new number with the code from the SMS.")
    @forward(resolve.confirm_phone, UserPayload.build)
    async def confirm_phone(
        self,
        info: Info,
        code: Annotated[
            str, described(f"The code from the SMS sent to the new number. {SIGNED_IN}")
        ],
    ) -> UserPayload:
        raise NotImplementedError

    @strawberry.mutation(
        description="Mailing subscription, reminders, receipt copies and readings without "
        "signing in. Signed-in users."
    )
    @forward(resolve.update_settings, UserPayload.build)
    async def update_settings(
        self,
        info: Info,
        subscribed_to_mailing: Annotated[
            bool | None,
            described(f"Receive the retailer's mailings; unchanged when omitted. {SIGNED_IN}"),
        ] = None,
        allow_readings_without_auth: Annotated[
            bool | None,
            described(
                "Let anyone enter readings of the user's accounts without signing in; "
                f"unchanged when omitted. {SIGNED_IN}"
            ),
        ] = None,
        receipt_copies: Annotated[
            bool | None,
            described(
                f"Send receipt copies of payments by e-mail; unchanged when omitted. {SIGNED_IN}"
            ),
        ] = None,
        reminder_channel: Annotated[
            ReminderChannel | None,
            described(
                "Where reminders go: EMAIL or SMS need that contact confirmed; NONE stops them; "
                f"unchanged when omitted. {SIGNED_IN}"
            ),
        ] = None,
    ) -> UserPayload:
        raise NotImplementedError

    @strawberry.mutation(
        description="Adds another registered user's account, proven by that user's login and password."
    )
    @forward(resolve.link_account, AccountPayload.build)
    async def link_account(
        self,
        info: Info,
        login: Annotated[
            str, described(f"The login of the user who holds the account to add. {SIGNED_IN}")
        ],
        password: Annotated[str, described(f"That user's password. {SIGNED_IN}")],
    ) -> AccountPayload:
        raise NotImplementedError

    @strawberry.mutation(description="Removes a linked account; a user always keeps at least one.")
    @forward(resolve.unlink_account, OkPayload.build)
    async def unlink_account(self, info: Info, account_number: OwnAccountNumber) -> OkPayload:
        raise NotImplementedError
