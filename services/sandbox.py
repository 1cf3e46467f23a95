"""The sandbox acquirer's emulator: the bank's side of the sandbox (its orders live in
SandboxOrder, so every server process sharing the database sees them).

Cards: 4111 1111 1111 1111 passes after a one-time code (standing for 3-D Secure, shown on the
page since this is a sandbox); 4000 0000 0000 0002 is declined. SBP: the customer's bank app is
played by POST /sandbox/sbp/pay. Every outcome is sent to our callback URL, signed, and
re-sent with backoff until the answer is `OK`.
"""

from __future__ import annotations

import logging
import secrets
import string
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any
from urllib.parse import parse_qs, urlsplit

import models
from adapters.acquirers.sandbox import deliver_callback
from infra.runtime import Runtime

log = logging.getLogger(__name__)
CARD_SUCCESS = "4111111111111111"
CARD_DECLINED = "4000000000000002"
# A bank's id in the NSPK directory (12 digits), as SBP links carry it.
SBP_BANK = "100000000004"
OPEN = ("NEW", "3DS_CHECKING")
_ID_ALPHABET = string.ascii_uppercase + string.digits
REJECTION_REASONS = {
    "CARD": "Карта отклонена банком-эмитентом.",
    "SBP": "Оплата по СБП отклонена банком.",
}


class SandboxRefused(Exception):
    """The emulator refuses the request (unknown order, wrong state, bad input)."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.status = status


class CardStep(str, Enum):
    FORM = "form"  # show the card form again, with an error
    THREE_DS = "3ds"  # ask for the one-time code
    DONE = "done"  # paid or declined: show the result


@dataclass(frozen=True, slots=True)
class CardResult:
    step: CardStep
    order: models.SandboxOrder
    error: str | None = None


def order_view(order: models.SandboxOrder) -> dict[str, Any]:
    """The emulator's answer about an order (and the body of its callbacks)."""
    view: dict[str, Any] = {
        "id": order.id,
        "orderId": order.order_id,
        "status": order.status,
        "amount": order.amount_kopecks,
        "method": order.method,
    }
    if order.status == "REJECTED":
        # In the words of the way the customer paid: an SBP payment involves no card.
        view["reason"] = REJECTION_REASONS.get(order.method, REJECTION_REASONS["CARD"])
    return view


async def open_order(rt: Runtime, data: Any) -> dict[str, Any]:
    try:
        order_id, method = str(data["orderId"]), str(data["method"])
        amount = data["amount"]
        notification_url = str(data["notificationUrl"])
        success_url = str(data.get("successUrl") or "")
    except (KeyError, TypeError) as error:
        raise SandboxRefused(f"missing field {error}", 400) from None
    if method not in ("CARD", "SBP") or not isinstance(amount, int) or amount <= 0:
        raise SandboxRefused("bad method or amount", 400)
    order = await models.SandboxOrder.create(
        id="".join(secrets.choice(_ID_ALPHABET) for _ in range(32)),
        order_id=order_id,
        method=method,
        amount_kopecks=amount,
        status="NEW",
        notification_url=notification_url,
        success_url=success_url or None,
    )
    answer = order_view(order)
    base = rt.settings.public_url
    if method == "CARD":
        answer["confirmationUrl"] = f"{base}/sandbox/pay/{order.id}"
    else:
        answer["sbpPayload"] = sbp_link(order.id, amount)
    return answer


async def order_state(order_id: str) -> dict[str, Any]:
    return order_view(await _order(order_id))


async def cancel_order(order_id: str) -> dict[str, Any]:
    order = await _order(order_id)
    if not await _finish(order, "CANCELED"):
        raise SandboxRefused(f"order is {order.status}")
    return order_view(await _order(order_id))


async def card_order(order_id: str) -> models.SandboxOrder:
    order = await _order(order_id, status=404)
    if order.method != "CARD":
        raise SandboxRefused("not a card order", 404)
    return order


async def submit_card(
    rt: Runtime, order_id: str, *, number: str, expiry: str, cvc: str
) -> CardResult:
    order = await card_order(order_id)
    if order.status != "NEW":
        return CardResult(CardStep.DONE, order)
    digits = "".join(ch for ch in number if ch.isdigit())
    if digits not in (CARD_SUCCESS, CARD_DECLINED):
        error = "В песочнице принимаются карты 4111 1111 1111 1111 и 4000 0000 0000 0002."
        return CardResult(CardStep.FORM, order, error)
    if not _valid_expiry(expiry):
        return CardResult(CardStep.FORM, order, "Срок действия: ММ/ГГ, не в прошлом.")
    if not (cvc.isdigit() and len(cvc) == 3):
        return CardResult(CardStep.FORM, order, "CVC — три цифры.")
    if digits == CARD_DECLINED:
        await _finish(order, "REJECTED")
        await schedule_callback(rt, order.id)
        return CardResult(CardStep.DONE, await _order(order.id))
    code = "".join(secrets.choice(string.digits) for _ in range(6))
    await models.SandboxOrder.filter(id=order.id, status="NEW").update(
        status="3DS_CHECKING", three_ds_code=code, updated_at=datetime.now(UTC)
    )
    return CardResult(CardStep.THREE_DS, await _order(order.id))


async def confirm_3ds(rt: Runtime, order_id: str, *, code: str) -> CardResult:
    order = await card_order(order_id)
    if order.status != "3DS_CHECKING":
        return CardResult(CardStep.DONE, order)
    if not order.three_ds_code or not secrets.compare_digest(code.strip(), order.three_ds_code):
        return CardResult(CardStep.THREE_DS, order, "Неверный код. Попробуйте ещё раз.")
    await _finish(order, "CONFIRMED")
    await schedule_callback(rt, order.id)
    return CardResult(CardStep.DONE, await _order(order.id))


async def pay_sbp(rt: Runtime, data: Any) -> dict[str, Any]:
    """The customer's bank app pays (or the customer rejects) an SBP link.

    `"deliverCallback": false` pays without telling the shop: a lost callback, which only
    reconciliation (GetState) can discover.
    """
    if not isinstance(data, dict) or not isinstance(data.get("payload"), str):
        raise SandboxRefused("payload is required", 400)
    outcome = data.get("outcome")
    if outcome not in ("success", "reject"):
        raise SandboxRefused('outcome must be "success" or "reject"', 400)
    link = urlsplit(data["payload"])
    order_id = link.path.strip("/")
    sums = parse_qs(link.query).get("sum", [])
    order = await models.SandboxOrder.get_or_none(id=order_id, method="SBP")
    if link.hostname != "qr.nspk.ru" or order is None:
        raise SandboxRefused("unknown SBP link", 404)
    if sums != [str(order.amount_kopecks)]:
        raise SandboxRefused("the sum in the link does not match the order", 400)
    if not await _finish(order, "CONFIRMED" if outcome == "success" else "REJECTED"):
        raise SandboxRefused(f"order is {order.status}")
    if data.get("deliverCallback", True) is not False:
        await schedule_callback(rt, order.id)
    return order_view(await _order(order.id))


async def schedule_callback(rt: Runtime, order_id: str) -> None:
    """Sends the order's callback in the background (the customer's page does not wait for it);
    the task is cancelled with the app's other tasks."""
    order = await _order(order_id)
    rt.tasks.start(
        deliver_callback(
            rt.http,
            url=order.notification_url,
            secret=rt.settings.sandbox_secret,
            payload=order_view(order),
        ),
        name=f"sandbox-callback-{order.id}",
    )


def sbp_link(order_id: str, amount_kopecks: int) -> str:
    """An NSPK-style dynamic link: https://qr.nspk.ru/<32 chars>?type=02&bank=…&sum=…&cur=RUB&crc=…"""
    body = f"https://qr.nspk.ru/{order_id}?type=02&bank={SBP_BANK}&sum={amount_kopecks}&cur=RUB"
    return f"{body}&crc={crc16(body.encode()):04X}"


def crc16(data: bytes) -> int:
    """CRC-16/CCITT-FALSE."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


async def _finish(order: models.SandboxOrder, status: str) -> bool:
    """Moves an open order to a final status once (two concurrent payers: one wins)."""
    moved = await models.SandboxOrder.filter(id=order.id, status__in=OPEN).update(
        status=status, updated_at=datetime.now(UTC)
    )
    return bool(moved)


async def _order(order_id: str, status: int = 404) -> models.SandboxOrder:
    order = await models.SandboxOrder.get_or_none(id=order_id)
    if order is None:
        raise SandboxRefused("unknown order", status)
    return order


def _valid_expiry(value: str) -> bool:
    month, _, year = value.strip().partition("/")
    if not (month.isdigit() and year.isdigit() and len(year) == 2 and 1 <= int(month) <= 12):
        return False
    now = datetime.now(UTC)
    return (2000 + int(year), int(month)) >= (now.year, now.month)
