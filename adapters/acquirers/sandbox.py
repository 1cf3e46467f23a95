"""The sandbox acquirer: a client of the emulator that this app serves itself under /sandbox
(sandbox_bank/), so the whole payment flow runs on one machine.

Both directions are signed like Stripe's webhooks: the header
`Sandbox-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, f"{t}.{raw body}")>`, accepted within
300 seconds. Our requests to the emulator's API carry it as well as its callbacks to us (this
module holds the scheme; sandbox_bank signs and verifies with it too).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping
from typing import Any

import aiohttp
import orjson

from adapters.acquirers.base import (
    CallbackMalformed,
    CallbackRejected,
    Order,
    Refund,
    Registration,
    StatusReport,
)
from adapters.acquirers.http import HttpAcquirer, read_json

SIGNATURE_HEADER = "Sandbox-Signature"
TOLERANCE_SECONDS = 300
# The emulator's statuses, mapped to ours (None: nothing changes on our side).
STATUSES: dict[str, str | None] = {
    "NEW": "PENDING",
    "3DS_CHECKING": "PENDING",
    "CONFIRMED": "SUCCEEDED",
    "REJECTED": "FAILED",
    "CANCELED": "CANCELED",
    "REFUNDED": "REFUNDED",
    # A part of the order refunded: the payment stays SUCCEEDED with its refunded amount.
    "PARTIALLY_REFUNDED": None,
}
REFUND_STATUSES = ("REFUNDED", "PARTIALLY_REFUNDED")


def signature(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return mac.hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},v1={signature(secret, body, t)}"


def verify_signature(
    secret: str, header: str | None, body: bytes, *, now: float | None = None
) -> None:
    """Raises CallbackRejected unless some v1 matches and t is within the tolerance."""
    if not header:
        raise CallbackRejected("no signature")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        raise CallbackRejected("malformed signature header")
    current = time.time() if now is None else now
    if abs(current - timestamp) > TOLERANCE_SECONDS:
        raise CallbackRejected("signature timestamp outside the tolerance")
    expected = signature(secret, body, timestamp)
    # Compare with every candidate (constant time each), as Stripe does during secret rotation.
    if not any(hmac.compare_digest(expected, c) for c in candidates):
        raise CallbackRejected("signature mismatch")


class SandboxAcquirer(HttpAcquirer):
    name = "sandbox"

    def __init__(self, http: aiohttp.ClientSession, *, url: str, secret: str) -> None:
        super().__init__(http, url=url.rstrip("/") + "/sandbox/api")
        self._secret = secret

    async def register(self, order: Order) -> Registration:
        answer = await self._call(
            "POST",
            "/orders",
            {
                "orderId": order.order_id,
                "method": order.method,
                "amount": order.amount_kopecks,
                "description": order.description,
                "notificationUrl": order.notification_url,
                "successUrl": order.success_url,
            },
        )
        return Registration(
            provider_payment_id=str(answer["id"]),
            confirmation_url=answer.get("confirmationUrl"),
            sbp_payload=answer.get("sbpPayload"),
        )

    async def state(self, provider_payment_id: str) -> StatusReport:
        answer = await self._call("GET", f"/orders/{provider_payment_id}", None)
        return _report(answer)

    async def cancel(self, provider_payment_id: str) -> None:
        await self._call("POST", f"/orders/{provider_payment_id}/cancel", {})

    def read_callback(self, headers: Mapping[str, str], body: bytes) -> StatusReport:
        verify_signature(self._secret, headers.get(SIGNATURE_HEADER), body)
        return _report(read_json(body))

    async def _call(self, method: str, path: str, payload: dict[str, Any] | None) -> Any:
        body = orjson.dumps(payload) if payload is not None else b""
        headers = {SIGNATURE_HEADER: signature_header(self._secret, body)}
        return await self._request(method, path, body=body, headers=headers)


def _report(data: Any) -> StatusReport:
    try:
        status = data["status"]
        amount = data["amount"]
        if not isinstance(status, str) or not isinstance(amount, int) or isinstance(amount, bool):
            raise TypeError("status or amount of the wrong type")
        refund: Refund | None = None
        if status in REFUND_STATUSES:
            # The emulator reports the refunded total (refundedAmount); a plain REFUNDED
            # without it means the whole order.
            refunded = data.get("refundedAmount", amount if status == "REFUNDED" else None)
            if not isinstance(refunded, int) or isinstance(refunded, bool) or refunded <= 0:
                raise TypeError("refundedAmount missing or not a positive integer")
            refund = Refund(total_kopecks=refunded)
        return StatusReport(
            order_id=str(data["orderId"]),
            provider_payment_id=str(data["id"]),
            provider_status=status,
            status=STATUSES.get(status),
            amount_kopecks=amount,
            payload=data,
            reason=data.get("reason") if isinstance(data.get("reason"), str) else None,
            refund=refund,
        )
    except (KeyError, TypeError) as error:
        raise CallbackMalformed(f"unexpected callback: {error}") from error
