"""The registration forms' types: the security-code challenge (captcha), step 1's input and
a registration in progress. The steps themselves are IdentityMutation's fields (schema/identity.py)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.common import Payload, answers, from_attributes
from schema.enums import ContactChannel
from services.identity.captcha import CaptchaView
from services.identity.registration import RegistrationRequest, RegistrationView


@strawberry.type(
    description="A security-code challenge (captcha): single use, expires in 10 minutes."
)
class Captcha:
    id: strawberry.ID = strawberry.field(description="Pass as captchaId with the answer.")
    image: str = strawberry.field(
        description="The challenge image as a data: URL (image/png or image/svg+xml)."
    )
    expires_at: datetime = strawberry.field(description="When the challenge expires.")

    @classmethod
    def from_view(cls, view: CaptchaView) -> Captcha:
        return cls(id=strawberry.ID(view.id), image=view.image, expires_at=view.expires_at)


@strawberry.input(description="Step 1 of registration.")
class StartRegistrationInput:
    login: str = strawberry.field(description="Letters, digits, '._-', 3 to 64 characters.")
    password: str = strawberry.field(description="At least 8 characters, not the login.")
    password_repeat: str = strawberry.field(description="The password again.")
    channel: ContactChannel = strawberry.field(description="Register by phone or by e-mail.")
    phone: str | None = strawberry.field(default=None, description="Required for PHONE.")
    email: str | None = strawberry.field(default=None, description="Required for EMAIL.")
    city: str = strawberry.field(description="City, e.g. Нижний Тагил.")
    captcha_id: strawberry.ID = strawberry.field(description="Captcha.id.")
    captcha_answer: str = strawberry.field(description="The characters in the image.")
    consent_to_personal_data: bool = strawberry.field(
        description="Consent to personal-data processing (152-ФЗ)."
    )

    def to_request(self) -> RegistrationRequest:
        return from_attributes(RegistrationRequest, self)


@strawberry.type(description="A registration in progress.")
class Registration:
    id: strawberry.ID = strawberry.field(description="Pass to the next steps.")
    channel: ContactChannel = strawberry.field(description="Phone or e-mail.")
    address: str | None = strawberry.field(
        description=(
            "Address of the bound account, masked to the city and street (as on the sign-up "
            "screen) until the customer proves they hold the bill."
        )
    )
    account_number: str | None = strawberry.field(description="The bound account number.")
    sent_to: str | None = strawberry.field(
        description="Where the code or the link went, masked (e.g. '+7 999 ***-**-26')."
    )
    codes_left_today: int = strawberry.field(description="How many more codes may be sent today.")

    @classmethod
    def from_view(cls, view: RegistrationView) -> Registration:
        return from_attributes(cls, view, id=strawberry.ID(view.id))


@strawberry.type(description="The result of a registration step.")
class RegistrationPayload(Payload):
    registration: Registration | None = strawberry.field(
        description="The registration, on success."
    )

    build = answers("registration", Registration.from_view)
