"""T-Bank Internet Acquiring v2: Init (with the 54-ФЗ receipt), GetQr for SBP, GetState, Cancel,
and the NOTIFICATION callback. Every request and notification carries a Token (see `token`)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

import aiohttp
import orjson

from adapters.acquirers.base import (
    AcquirerError,
    CallbackMalformed,
    CallbackRejected,
    Order,
    Refund,
    Registration,
    StatusReport,
)
from adapters.acquirers.http import HttpAcquirer, read_json

# The bank's statuses, mapped to ours. A one-stage payment goes AUTHORIZED, then CONFIRMED:
# only CONFIRMED means the money is ours. None: a transition that changes nothing here.
STATUSES: dict[str, str | None] = {
    "NEW": "PENDING",
    "FORM_SHOWED": "PENDING",
    "AUTHORIZING": "PENDING",
    "3DS_CHECKING": "PENDING",
    "3DS_CHECKED": "PENDING",
    "AUTHORIZED": "PENDING",
    "CONFIRMING": None,
    "CONFIRMED": "SUCCEEDED",
    "REVERSING": None,
    # A released hold: an unpaid payment is canceled; one already paid here is refunded.
    "REVERSED": "CANCELED",
    "PARTIAL_REVERSED": None,
    "REFUNDING": None,
    "REFUNDED": "REFUNDED",
    # A part refunded: the payment stays SUCCEEDED with its refunded amount.
    "PARTIAL_REFUNDED": None,
    "REJECTED": "FAILED",
    "AUTH_FAIL": "FAILED",
    "CANCELED": "CANCELED",
    "DEADLINE_EXPIRED": "EXPIRED",
}
# Statuses that return money, and whether the money had been taken (a refund) or only held
# (a reversal). Full ones return the whole order; partial ones say what is left of it.
REFUNDS: dict[str, tuple[bool, bool]] = {  # status: (captured, full)
    "REFUNDED": (True, True),
    "PARTIAL_REFUNDED": (True, False),
    "REVERSED": (False, True),
    "PARTIAL_REVERSED": (False, False),
}


def token(fields: Mapping[str, Any], password: str) -> str:
    """SHA-256 of the values of the root-level scalar fields plus Password, sorted by key.

    Nested objects (Receipt, DATA) and the Token itself are left out; booleans are written
    `true`/`false`, as the bank serialises them.
    """
    values: dict[str, str] = {"Password": password}
    for key, value in fields.items():
        if key == "Token" or value is None or isinstance(value, dict | list):
            continue
        if isinstance(value, bool):
            values[key] = "true" if value else "false"
        else:
            values[key] = str(value)
    joined = "".join(values[k] for k in sorted(values))
    return hashlib.sha256(joined.encode()).hexdigest()


class TBankAcquirer(HttpAcquirer):
    name = "tbank"

    def __init__(
        self, http: aiohttp.ClientSession, *, url: str, terminal_key: str, password: str
    ) -> None:
        super().__init__(http, url=url.rstrip("/") + "/v2/")
        self._terminal_key = terminal_key
        self._password = password

    async def register(self, order: Order) -> Registration:
        receipt: dict[str, Any] = {
            "Taxation": "osn",
            "Items": [
                {
                    "Name": item.name[:128],
                    "Price": item.amount_kopecks,
                    "Quantity": 1,
                    "Amount": item.amount_kopecks,
                    "Tax": "none",
                    "PaymentMethod": "full_payment",
                    "PaymentObject": "service",
                }
                for item in order.items
            ],
        }
        if order.email:
            receipt["Email"] = order.email
        elif order.phone:
            receipt["Phone"] = order.phone
        init = await self._call(
            "Init",
            {
                "Amount": order.amount_kopecks,
                "OrderId": order.order_id,
                "Description": order.description[:140],
                "PayType": "O",
                "NotificationURL": order.notification_url,
                "SuccessURL": order.success_url,
                # The return page shows a failure as well as a success.
                "FailURL": order.success_url,
                "Receipt": receipt,
            },
        )
        payment_id = str(init["PaymentId"])
        if order.method == "SBP":
            qr = await self._call("GetQr", {"PaymentId": payment_id, "DataType": "PAYLOAD"})
            return Registration(provider_payment_id=payment_id, sbp_payload=str(qr["Data"]))
        return Registration(provider_payment_id=payment_id, confirmation_url=init.get("PaymentURL"))

    async def state(self, provider_payment_id: str) -> StatusReport:
        answer = await self._call("GetState", {"PaymentId": provider_payment_id})
        try:
            return _report(answer)
        except CallbackMalformed as error:
            raise AcquirerError(str(error)) from error

    async def cancel(self, provider_payment_id: str) -> None:
        await self._call("Cancel", {"PaymentId": provider_payment_id})

    def read_callback(self, headers: Mapping[str, str], body: bytes) -> StatusReport:
        data = read_json(body)
        if not isinstance(data, dict) or not isinstance(data.get("Token"), str):
            raise CallbackMalformed("no Token")
        if data.get("TerminalKey") != self._terminal_key or not hmac.compare_digest(
            token(data, self._password), data["Token"]
        ):
            raise CallbackRejected("token mismatch")
        return _report(data)

    async def _call(self, method: str, fields: dict[str, Any]) -> dict[str, Any]:
        request = {"TerminalKey": self._terminal_key, **fields}
        request["Token"] = token(request, self._password)
        answer = await self._request("POST", method, body=orjson.dumps(request))
        if not isinstance(answer, dict) or answer.get("Success") is not True:
            code = answer.get("ErrorCode") if isinstance(answer, dict) else None
            message = answer.get("Message") if isinstance(answer, dict) else None
            raise AcquirerError(f"T-Bank {method} refused: {code} {message}")
        return answer


def _report(data: dict[str, Any]) -> StatusReport:
    try:
        status = data["Status"]
        amount = data.get("Amount")
        if not isinstance(status, str):
            raise TypeError("Status is not a string")
        if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int)):
            amount = int(str(amount))
        refund = None
        if status in REFUNDS:
            amount, refund = _refund(status, data, amount)
        return StatusReport(
            order_id=str(data["OrderId"]),
            provider_payment_id=str(data["PaymentId"]),
            provider_status=status,
            status=STATUSES.get(status),
            amount_kopecks=amount,
            payload={k: v for k, v in data.items() if k not in ("Token", "Pan", "CardId")},
            reason=str(data.get("Message")) if data.get("Message") else None,
            refund=refund,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise CallbackMalformed(f"unexpected notification: {error}") from error


def _refund(status: str, data: dict[str, Any], amount: int | None) -> tuple[int | None, Refund]:
    """The order's amount to check and the refund of a refund or reversal status.

    With OriginalAmount and NewAmount (Cancel's answer, also in notifications) the refunded
    total is their difference. Otherwise a full refund returns the whole order and, for a
    partial one, Amount is what is left of the order (as GetState reports it after a partial
    refund): the order's amount is then not checked against it.
    """
    captured, full = REFUNDS[status]
    original, new = data.get("OriginalAmount"), data.get("NewAmount")
    if original is not None and new is not None:
        original, new = int(str(original)), int(str(new))
        if not 0 <= new < original:
            raise ValueError("NewAmount outside 0..OriginalAmount")
        return original, Refund(total_kopecks=original - new, captured=captured)
    if full:
        return amount, Refund(remaining_kopecks=0, captured=captured)
    if amount is None or amount < 0:
        raise ValueError("no Amount left in a partial refund")
    return None, Refund(remaining_kopecks=amount, captured=captured)
