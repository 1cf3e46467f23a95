"""The Python enums the schemas expose, registered with Strawberry once, here.

Models and services hold no Strawberry, so their enums get their GraphQL name and description
here. `strawberry.enum(cls)` marks the class itself and returns it: the schema modules annotate
fields with the classes (imported from this module, so that the registration has run) rather than
with an alias that type checkers cannot read as a type.
"""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry.types.enum import has_enum_definition

from models import (
    ContactChannel,
    EbillSource,
    MeterKind,
    MeterZone,
    PaymentStatus,
    QuestionStatus,
    QuestionTopic,
    ReadingSource,
    ReadingStatus,
    ReminderChannel,
)
from models import PaymentMethod as StoredPaymentMethod
from services.charts.links import ChartFormat
from services.documents import DocumentKind
from services.errors import ErrorCode
from services.integration.results import ItemStatus
from services.payments.views import PaymentMethod
from services.readings.due import DueStatus

__all__ = [
    "ChartFormat",
    "ContactChannel",
    "DocumentKind",
    "DueStatus",
    "EbillSource",
    "ErrorCode",
    "ItemStatus",
    "MeterKind",
    "MeterZone",
    "PaymentMethod",
    "PaymentStatus",
    "QuestionStatus",
    "QuestionTopic",
    "ReadingSource",
    "ReadingStatus",
    "ReminderChannel",
    "StoredPaymentMethod",
]


def _describe_value(cls: type[Enum], name: str, description: str) -> None:
    """A value's description, set on the registered definition (the service's enum cannot carry
    strawberry.enum_value)."""
    assert has_enum_definition(cls)
    for value in cls.__strawberry_definition__.values:
        if value.name == name:
            value.description = description


strawberry.enum(
    ErrorCode, name="ErrorCode", description="Machine-readable code of an expected failure."
)
strawberry.enum(
    ContactChannel, name="ContactChannel", description="Where codes and links are sent."
)
strawberry.enum(MeterZone, name="MeterZone", description="Tariff zone of a meter register.")
strawberry.enum(
    MeterKind,
    name="MeterKind",
    description="Individual (in the flat) or common (the building's) meter.",
)
strawberry.enum(ReadingSource, name="ReadingSource", description="Where a reading came from.")
strawberry.enum(
    ReadingStatus, name="ReadingStatus", description="Whether billing accepted a reading."
)
strawberry.enum(
    PaymentStatus,
    name="PaymentStatus",
    description="CREATED: stored, not yet registered with the acquirer; PENDING: waiting for the "
    "customer or the bank; then one final status.",
)
# The customer's API: the stored methods and OFFLINE for payments imported from billing.
strawberry.enum(PaymentMethod, name="PaymentMethod", description="How the customer pays.")
_describe_value(
    PaymentMethod,
    "OFFLINE",
    "Paid outside the cabinet: at a bank, a post office or the retailer's office (imported "
    "from billing).",
)
# The stored methods (CARD, SBP), as the integration endpoint shows them.
strawberry.enum(StoredPaymentMethod, name="PaymentMethod", description="How the customer pays.")
strawberry.enum(DocumentKind, name="DocumentKind", description="Kinds of PDF documents.")
strawberry.enum(
    ChartFormat,
    name="ChartFormat",
    description="Picture format of a chart: SVG (vector, scales to any screen) or PNG.",
)
strawberry.enum(
    ItemStatus,
    name="ImportStatus",
    description="What an import did with one item: CREATED, UPDATED, UNCHANGED (a re-run), or "
    "REFUSED (see reason; the other items are imported).",
)
strawberry.enum(
    DueStatus,
    name="ReadingsDueStatus",
    description="Readings of a meter for a period, all registers together: NOT_SENT (a register "
    "has none), SENT (waiting for billing), ACCEPTED (all accepted), REJECTED (billing rejected "
    "one; send it again).",
)
strawberry.enum(
    QuestionTopic, name="QuestionTopic", description="What a question to support is about."
)
strawberry.enum(
    QuestionStatus,
    name="QuestionStatus",
    description="OPEN: waiting for support; ANSWERED: the answer is in the question.",
)
strawberry.enum(
    ReminderChannel,
    name="ReminderChannel",
    description="Where the user's reminders go (readings window, meter verification): EMAIL (the "
    "confirmed e-mail), SMS (the confirmed phone) or NONE. Only while subscribedToMailing.",
)
strawberry.enum(
    EbillSource,
    name="EbillSource",
    description="Where the electronic bill was ordered: CABINET (signed in, to the profile's "
    "confirmed e-mail) or SITE (account number, security code and an e-mail confirmed by a link).",
)
