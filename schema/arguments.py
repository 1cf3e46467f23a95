"""Arguments that several fields take, with their descriptions, and the sentences that name the
permission an argument needs (Saleor's style: every argument says what it is and who may pass
it). A field's own arguments are described where the field is."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry.types.arguments import StrawberryArgumentAnnotation

# The permission sentences.
SIGNED_IN = "Requires sign-in."
OWN_ACCOUNT = "Requires sign-in; the account must be one of the user's."
PAYMENT_VISIBLE = (
    "Requires sign-in; the payment must be one the user made or on one of their accounts."
)
BILLING_KEY = "Requires an API key with the billing scope."
DASHBOARD_KEY = "Requires an API key with the dashboard scope."


def described(description: str) -> StrawberryArgumentAnnotation:
    """strawberry.argument with a description: for `Annotated[type, described("...")]`."""
    return strawberry.argument(description=description)


def described_from(description: str) -> StrawberryArgumentAnnotation:
    """`described` for the argument named `from` (a Python keyword: the parameter is `from_`)."""
    return strawberry.argument(name="from", description=description)


OwnAccountNumber = Annotated[
    str, described(f"The account number printed on the bill (лицевой счёт). {OWN_ACCOUNT}")
]
RegistrationId = Annotated[
    strawberry.ID, described("Registration.id, as startRegistration answered it.")
]
CaptchaId = Annotated[strawberry.ID, described("Captcha.id of the security code.")]
CaptchaAnswer = Annotated[str, described("The characters in the security-code picture.")]
CurrentPassword = Annotated[
    str,
    described(
        "The user's password: a stolen session alone cannot change where codes and links go. "
        f"Wrong ones count towards the sign-in lock. {SIGNED_IN}"
    ),
]
NewPassword = Annotated[str, described("The new password: at least 8 characters, not the login.")]
PasswordRepeat = Annotated[str, described("The new password again.")]

# A page of an account's history (Account.payments, Account.readings).
HistoryFrom = Annotated[
    date | None,
    described_from(
        "The first day of the range, in the retailer's calendar; no lower bound when omitted. "
        f"{OWN_ACCOUNT}"
    ),
]
HistoryTo = Annotated[
    date | None,
    described(
        "The last day of the range (included), in the retailer's calendar; no upper bound when "
        f"omitted. {OWN_ACCOUNT}"
    ),
]
# The months of Account.consumption and of its chart (consumptionChartUrl).
ConsumptionFrom = Annotated[
    date | None,
    described_from(
        f"The first month (any day of it); eleven months before `to` when omitted. {OWN_ACCOUNT}"
    ),
]
ConsumptionTo = Annotated[
    date | None,
    described(
        "The last month (any day of it); eleven months after `from` when omitted, the current "
        f"month when both are omitted. {OWN_ACCOUNT}"
    ),
]
PageSize = Annotated[
    int | None, described(f"How many items a page holds: 1 to 100, 20 when omitted. {OWN_ACCOUNT}")
]
PageAfter = Annotated[
    str | None,
    described(
        f"PageInfo.endCursor of the page read before; the first page when omitted. {OWN_ACCOUNT}"
    ),
]

# Pages of the integration endpoint's exports, by id.
AfterId = Annotated[
    int, described(f"The last id of the page read before; 0 for the first page. {BILLING_KEY}")
]
ExportPageSize = Annotated[
    int,
    described(f"How many items a page holds, at most LK_INTEGRATION_MAX_ITEMS. {BILLING_KEY}"),
]
