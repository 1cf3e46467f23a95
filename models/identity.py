"""Users, their sessions, registrations in progress, codes, consents and security-code challenges."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

from models.accounts import Account
from models.enums import ContactChannel, ReminderChannel, VerificationPurpose

if TYPE_CHECKING:
    from models.payments import Payment
    from models.readings import Reading


class User(Model):
    id = fields.IntField(primary_key=True)
    login = fields.CharField(max_length=64)
    # Logins are unique regardless of case: "Ivan" and "ivan" are one login.
    login_key = fields.CharField(max_length=64, unique=True)
    password_hash = fields.CharField(max_length=255)
    email = fields.CharField(max_length=254, null=True, db_index=True)
    email_confirmed = fields.BooleanField(default=False)
    phone = fields.CharField(max_length=16, null=True, db_index=True)
    phone_confirmed = fields.BooleanField(default=False)
    city = fields.CharField(max_length=128, default="Нижний Тагил")
    subscribed_to_mailing = fields.BooleanField(default=False)
    receipt_copies = fields.BooleanField(default=True)
    # Where reminders go (readings, verification); only while subscribed_to_mailing.
    reminder_channel = fields.CharEnumField(
        ReminderChannel, max_length=8, default=ReminderChannel.EMAIL
    )
    allow_readings_without_auth = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    password_changed_at = fields.DatetimeField(null=True)
    # When the e-mail, phone or mailing and receipt preferences last changed (null: never since
    # registration); the integration export of contact preferences pages by it.
    contacts_updated_at = fields.DatetimeField(null=True)

    account_links: fields.ReverseRelation[UserAccount]
    sessions: fields.ReverseRelation[Session]
    consents: fields.ReverseRelation[Consent]
    codes: fields.ReverseRelation[VerificationCode]
    readings: fields.ReverseRelation[Reading]
    payments: fields.ReverseRelation[Payment]

    class Meta:
        table = "user"


class UserAccount(Model):
    """The access of a user to an account: the holder who registered with it, or a linked one."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="account_links"
    )
    user_id: int
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="user_links"
    )
    account_id: int
    is_holder = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "user_account"
        unique_together = (("user", "account"),)


class Session(Model):
    """A signed-in device. Refresh tokens rotate, and only their hashes are stored."""

    id = fields.UUIDField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="sessions"
    )
    user_id: int
    refresh_hash = fields.CharField(max_length=64, unique=True)
    # The hash of the refresh token this one replaced: its reuse means theft, and revokes the session.
    previous_refresh_hash = fields.CharField(max_length=64, null=True, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    refreshed_at = fields.DatetimeField(null=True)
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    ip = fields.CharField(max_length=64, null=True)
    user_agent = fields.CharField(max_length=255, null=True)

    class Meta:
        table = "session"


class LoginAttempt(Model):
    """A failed sign-in, kept to slow down password guessing for a login."""

    id = fields.IntField(primary_key=True)
    login_key = fields.CharField(max_length=64, db_index=True)
    ip = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "login_attempt"


class RateCounter(Model):
    """How much of a limit is used in one window (codes sent to a phone today, sign-in failures
    of a login in this quarter of an hour...). Raised with a conditional UPDATE before the work
    it limits, so requests sent at once can never pass the limit together."""

    key = fields.CharField(max_length=255, primary_key=True)
    count = fields.IntField(default=0)
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "rate_counter"


class CaptchaChallenge(Model):
    id = fields.UUIDField(primary_key=True)
    answer_hash = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "captcha_challenge"


class Registration(Model):
    """A registration in progress. The user is created only when it completes."""

    id = fields.UUIDField(primary_key=True)
    login = fields.CharField(max_length=64)
    login_key = fields.CharField(max_length=64, db_index=True)
    password_hash = fields.CharField(max_length=255)
    channel = fields.CharEnumField(ContactChannel, max_length=8)
    phone = fields.CharField(max_length=16, null=True)
    email = fields.CharField(max_length=254, null=True)
    city = fields.CharField(max_length=128)
    account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="registrations", null=True
    )
    account_id: int | None
    binding_confirmed_at = fields.DatetimeField(null=True)
    consent_text_version = fields.CharField(max_length=32)
    consent_at = fields.DatetimeField()
    consent_ip = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    completed_at = fields.DatetimeField(null=True)

    codes: fields.ReverseRelation[VerificationCode]

    class Meta:
        table = "registration"


class Consent(Model):
    """Consent to personal-data processing (152-ФЗ): when, from where, which text."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="consents"
    )
    user_id: int
    text_version = fields.CharField(max_length=32)
    given_at = fields.DatetimeField()
    ip = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "consent"


class VerificationCode(Model):
    """A one-time code sent by SMS (or a link token by e-mail), stored hashed."""

    id = fields.IntField(primary_key=True)
    purpose = fields.CharEnumField(VerificationPurpose, max_length=32)
    # Normalised phone (+7XXXXXXXXXX) or lower-case e-mail the code was sent to.
    target = fields.CharField(max_length=254, db_index=True)
    code_hash = fields.CharField(max_length=64)
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="codes", null=True
    )
    user_id: int | None
    registration: fields.ForeignKeyNullableRelation[Registration] = fields.ForeignKeyField(
        "models.Registration", related_name="codes", null=True
    )
    registration_id: UUID | None
    attempts = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "verification_code"
