"""The customer's side of the emulator: the card page's steps and the SBP bank app.

Cards: 4111 1111 1111 1111 passes after a one-time code (standing for 3-D Secure, shown on the
page since this is a sandbox); 4000 0000 0000 0002 is declined. SBP: the customer's bank app is
played by POST /sandbox/sbp/pay. Every outcome is sent to the shop's callback URL.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any
from urllib.parse import parse_qs, urlsplit

from infra.runtime import Runtime
from sandbox_bank import callbacks
from sandbox_bank.models import SandboxOrder
from sandbox_bank.orders import SandboxRefused, finish, get_order, order_view

CARD_SUCCESS = "4111111111111111"
CARD_DECLINED = "4000000000000002"


class CardStep(str, Enum):
    FORM = "form"  # show the card form again, with an error
    THREE_DS = "3ds"  # ask for the one-time code
    DONE = "done"  # paid or declined: show the result


@dataclass(frozen=True, slots=True)
class CardResult:
    step: CardStep
    order: SandboxOrder
    error: str | None = None


async def card_order(order_id: str) -> SandboxOrder:
    order = await get_order(order_id, status=404)
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
        await finish(order, "REJECTED")
        await callbacks.schedule_callback(rt, order.id)
        return CardResult(CardStep.DONE, await get_order(order.id))
    code = "".join(secrets.choice(string.digits) for _ in range(6))
    await SandboxOrder.filter(id=order.id, status="NEW").update(
        status="3DS_CHECKING", three_ds_code=code, updated_at=datetime.now(UTC)
    )
    return CardResult(CardStep.THREE_DS, await get_order(order.id))


async def confirm_3ds(rt: Runtime, order_id: str, *, code: str) -> CardResult:
    order = await card_order(order_id)
    if order.status != "3DS_CHECKING":
        return CardResult(CardStep.DONE, order)
    if not order.three_ds_code or not secrets.compare_digest(code.strip(), order.three_ds_code):
        return CardResult(CardStep.THREE_DS, order, "Неверный код. Попробуйте ещё раз.")
    await finish(order, "CONFIRMED")
    await callbacks.schedule_callback(rt, order.id)
    return CardResult(CardStep.DONE, await get_order(order.id))


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
    order = await SandboxOrder.get_or_none(id=order_id, method="SBP")
    if link.hostname != "qr.nspk.ru" or order is None:
        raise SandboxRefused("unknown SBP link", 404)
    if sums != [str(order.amount_kopecks)]:
        raise SandboxRefused("the sum in the link does not match the order", 400)
    if not await finish(order, "CONFIRMED" if outcome == "success" else "REJECTED"):
        raise SandboxRefused(f"order is {order.status}")
    if data.get("deliverCallback", True) is not False:
        await callbacks.schedule_callback(rt, order.id)
    return order_view(await get_order(order.id))


def _valid_expiry(value: str) -> bool:
    month, _, year = value.strip().partition("/")
    if not (month.isdigit() and year.isdigit() and len(year) == 2 and 1 <= int(month) <= 12):
        return False
    now = datetime.now(UTC)
    return (2000 + int(year), int(month)) >= (now.year, now.month)
