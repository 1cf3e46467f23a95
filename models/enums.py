"""Enumerations stored in the database. The GraphQL enums of the same names expose them."""

from enum import Enum


class ContactChannel(str, Enum):
    PHONE = "PHONE"
    EMAIL = "EMAIL"


class MeterKind(str, Enum):
    INDIVIDUAL = "INDIVIDUAL"
    COMMON = "COMMON"


class MeterZone(str, Enum):
    SINGLE = "SINGLE"
    DAY = "DAY"
    NIGHT = "NIGHT"
    PEAK = "PEAK"
    SEMIPEAK = "SEMIPEAK"


class ReadingSource(str, Enum):
    CABINET = "CABINET"
    PUBLIC = "PUBLIC"
    ONSITE = "ONSITE"
    IMPORT = "IMPORT"
    ESTIMATED = "ESTIMATED"


class ReadingStatus(str, Enum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"


class PaymentMethod(str, Enum):
    CARD = "CARD"
    SBP = "SBP"


class PaymentStatus(str, Enum):
    CREATED = "CREATED"
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELED = "CANCELED"
    EXPIRED = "EXPIRED"
    REFUNDED = "REFUNDED"


class MessageChannel(str, Enum):
    SMS = "sms"
    EMAIL = "email"


class MessageStatus(str, Enum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class VerificationPurpose(str, Enum):
    REGISTRATION = "registration"
    PASSWORD_RESET = "password_reset"
    CHANGE_PHONE = "change_phone"
    CHANGE_EMAIL = "change_email"


class QuestionTopic(str, Enum):
    PAYMENTS = "PAYMENTS"
    READINGS = "READINGS"
    BILLS = "BILLS"
    ACCOUNT = "ACCOUNT"
    OTHER = "OTHER"


class QuestionStatus(str, Enum):
    OPEN = "OPEN"
    ANSWERED = "ANSWERED"


class ReminderChannel(str, Enum):
    """Where a user's reminders go (services/reminders): nowhere with NONE."""

    EMAIL = "EMAIL"
    SMS = "SMS"
    NONE = "NONE"


class ReminderKind(str, Enum):
    WINDOW_OPENS = "WINDOW_OPENS"
    WINDOW_CLOSES = "WINDOW_CLOSES"
    VERIFICATION_SOON = "VERIFICATION_SOON"
    VERIFICATION_URGENT = "VERIFICATION_URGENT"


class EbillSource(str, Enum):
    CABINET = "CABINET"
    SITE = "SITE"


class EbillDeliveryStatus(str, Enum):
    PENDING = "PENDING"
    QUEUED = "QUEUED"
    SKIPPED = "SKIPPED"
    FAILED = "FAILED"
