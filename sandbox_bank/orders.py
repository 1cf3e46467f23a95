"""The emulator's orders, as the bank keeps them (SandboxOrder, in the shared database, so every
server process sees them): opening one (the card page's URL or an SBP link), its state, its
cancellation, and moving an open order to its final status once."""

from __future__ import annotations

import secrets
import string
from datetime import UTC, datetime
from typing import Any

from infra.runtime import Runtime
from sandbox_bank.models import SandboxOrder

# A bank's id in the NSPK directory (12 digits), as SBP links carry it.
SBP_BANK = "100000000004"
OPEN = ("NEW", "3DS_CHECKING")
# Orders the operator may refund (a part or the rest).
REFUNDABLE = ("CONFIRMED", "PARTIALLY_REFUNDED")
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


def order_view(order: SandboxOrder) -> dict[str, Any]:
    """The emulator's answer about an order (and the body of its callbacks)."""
    view: dict[str, Any] = {
        "id": order.id,
        "orderId": order.order_id,
        "status": order.status,
        "amount": order.amount_kopecks,
        "method": order.method,
    }
    if order.refunded_kopecks:
        # The refunded total (not the last refund): a late callback of an older refund is
        # told apart from a newer one by the receiver.
        view["refundedAmount"] = order.refunded_kopecks
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
    order = await SandboxOrder.create(
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
    return order_view(await get_order(order_id))


async def cancel_order(order_id: str) -> dict[str, Any]:
    order = await get_order(order_id)
    if not await finish(order, "CANCELED"):
        raise SandboxRefused(f"order is {order.status}")
    return order_view(await get_order(order_id))


async def refund_order(order_id: str, data: Any) -> dict[str, Any]:
    """The operator refunds a paid order, all of what is left or `amount` kopecks of it:
    REFUNDED once all is returned, PARTIALLY_REFUNDED before. Conditional on the refunded total
    read (two concurrent refunds: one wins, the other is refused), never above the order."""
    order = await get_order(order_id)
    if order.status not in REFUNDABLE:
        raise SandboxRefused(f"order is {order.status}")
    left = order.amount_kopecks - order.refunded_kopecks
    amount = data.get("amount", left) if isinstance(data, dict) else left
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= left:
        raise SandboxRefused(f"amount must be 1..{left} kopecks", 400)
    total = order.refunded_kopecks + amount
    status = "REFUNDED" if total == order.amount_kopecks else "PARTIALLY_REFUNDED"
    moved = await SandboxOrder.filter(
        id=order.id, status__in=REFUNDABLE, refunded_kopecks=order.refunded_kopecks
    ).update(status=status, refunded_kopecks=total, updated_at=datetime.now(UTC))
    if not moved:
        raise SandboxRefused("the order changed meanwhile; try again")
    return order_view(await get_order(order_id))


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


async def finish(order: SandboxOrder, status: str) -> bool:
    """Moves an open order to a final status once (two concurrent payers: one wins)."""
    moved = await SandboxOrder.filter(id=order.id, status__in=OPEN).update(
        status=status, updated_at=datetime.now(UTC)
    )
    return bool(moved)


async def get_order(order_id: str, status: int = 404) -> SandboxOrder:
    order = await SandboxOrder.get_or_none(id=order_id)
    if order is None:
        raise SandboxRefused("unknown order", status)
    return order
