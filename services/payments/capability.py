"""Following one payment without signing in: the payment's capability, which the acquirer's
return URL carries to the return page (routes/payments.py)."""

from __future__ import annotations

import hmac
import uuid
from urllib.parse import urlencode

import models
from infra.runtime import Runtime
from services.ids import parse_uuid

_PURPOSE = "payment-capability"


def capability(rt: Runtime, payment_id: uuid.UUID | str) -> str:
    """The payment's capability: an HMAC of its id with the server's key. Whoever holds it (the
    return URL carries it) may follow the payment's amount and status, and nothing else: no
    sign-in, no personal data. Stateless, so it works in every server process."""
    return rt.signer.digest(str(payment_id), purpose=_PURPOSE)


async def payment_for_capability(
    rt: Runtime, payment_id: str, token: str | None
) -> models.Payment | None:
    """The payment, if the capability is its own; None otherwise (never says why)."""
    key = parse_uuid(payment_id)
    if key is None:
        return None
    if not token or not hmac.compare_digest(token.encode(), capability(rt, key).encode()):
        return None
    return await models.Payment.get_or_none(id=key)


def return_url(rt: Runtime, payment_id: uuid.UUID) -> str:
    """The page the acquirer sends the customer back to: it shows the amount and the status
    and follows the status live (routes/payments.py)."""
    query = urlencode({"paymentId": str(payment_id), "capability": capability(rt, payment_id)})
    return f"{rt.settings.public_url}/payments/return?{query}"
