"""Tortoise models, one module per domain. Import models from here."""

from models.accounts import (
    Account,
    AccountService,
    Provider,
    Service,
    Statement,
    StatementLine,
    TariffRate,
)
from models.enums import (
    ContactChannel,
    MessageChannel,
    MessageStatus,
    MeterKind,
    MeterZone,
    PaymentMethod,
    PaymentStatus,
    QuestionStatus,
    QuestionTopic,
    ReadingSource,
    ReadingStatus,
    VerificationPurpose,
)
from models.identity import (
    CaptchaChallenge,
    Consent,
    LoginAttempt,
    RateCounter,
    Registration,
    Session,
    User,
    UserAccount,
    VerificationCode,
)
from models.integration import ApiKey
from models.messages import OutgoingMessage
from models.payments import Payment, PaymentEvent, PaymentLine, PaymentRefund, SitePayment
from models.questions import Question
from models.readings import Meter, MeterRegister, PublicReadingsPass, Reading

__all__ = [
    "Account",
    "AccountService",
    "ApiKey",
    "CaptchaChallenge",
    "Consent",
    "ContactChannel",
    "LoginAttempt",
    "MessageChannel",
    "MessageStatus",
    "Meter",
    "MeterKind",
    "MeterRegister",
    "MeterZone",
    "OutgoingMessage",
    "Payment",
    "PaymentEvent",
    "PaymentLine",
    "PaymentMethod",
    "PaymentRefund",
    "PaymentStatus",
    "Provider",
    "PublicReadingsPass",
    "Question",
    "QuestionStatus",
    "QuestionTopic",
    "RateCounter",
    "Reading",
    "ReadingSource",
    "ReadingStatus",
    "Registration",
    "Service",
    "Session",
    "SitePayment",
    "Statement",
    "StatementLine",
    "TariffRate",
    "User",
    "UserAccount",
    "VerificationCode",
    "VerificationPurpose",
]
