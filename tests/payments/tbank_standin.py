"""A local stand-in of T-Bank's Internet Acquiring v2 API (real socket), for the adapter tests.

It checks every request's Token with the published algorithm, keeps its orders, answers Init,
GetQr, GetState and Cancel, and delivers NOTIFICATION callbacks to the shop over HTTP."""

from __future__ import annotations

import hashlib
import itertools
from typing import Any

import aiohttp
from aiohttp import web

TERMINAL_KEY = "1726675329428DEMO"
PASSWORD = "standin-password"


def bank_token(fields: dict[str, Any], password: str = PASSWORD) -> str:
    """The bank's side of the Token, written independently of the adapter."""
    pairs = [(k, v) for k, v in fields.items() if k != "Token" and not isinstance(v, dict | list)]
    pairs.append(("Password", password))
    text = "".join(
        ("true" if v else "false") if isinstance(v, bool) else str(v) for _, v in sorted(pairs)
    )
    return hashlib.sha256(text.encode()).hexdigest()


class TBankStandIn:
    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.orders: dict[str, dict[str, Any]] = {}
        self.refuse_init = False
        self._ids = itertools.count(5974256058)
        self.app = web.Application()
        self.app.router.add_post("/v2/{method}", self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        data = await request.json()
        self.requests.append((method, data))
        if data.get("TerminalKey") != TERMINAL_KEY or data.get("Token") != bank_token(data):
            return web.json_response({"Success": False, "ErrorCode": "204", "Message": "Token"})
        if method == "Init":
            if self.refuse_init:
                return web.json_response({"Success": False, "ErrorCode": "99", "Message": "No"})
            payment_id = next(self._ids)
            self.orders[str(payment_id)] = {**data, "Status": "NEW", "PaymentId": payment_id}
            return web.json_response(
                {
                    "Success": True,
                    "ErrorCode": "0",
                    "TerminalKey": TERMINAL_KEY,
                    "Status": "NEW",
                    "PaymentId": str(payment_id),
                    "OrderId": data["OrderId"],
                    "Amount": data["Amount"],
                    "PaymentURL": f"https://securepay.example/new/{payment_id}",
                }
            )
        order = self.orders.get(str(data.get("PaymentId")))
        if order is None:
            return web.json_response({"Success": False, "ErrorCode": "7", "Message": "Unknown"})
        if method == "GetQr":
            order["Qr"] = (
                f"https://qr.nspk.ru/AD{order['PaymentId']:030d}?type=02&bank=100000000004&sum={order['Amount']}&cur=RUB&crc=ABCD"
            )
            return web.json_response(
                {
                    "Success": True,
                    "ErrorCode": "0",
                    "Data": order["Qr"],
                    "PaymentId": order["PaymentId"],
                }
            )
        if method == "GetState":
            return web.json_response(
                {
                    "Success": True,
                    "ErrorCode": "0",
                    "TerminalKey": TERMINAL_KEY,
                    "Status": order["Status"],
                    "PaymentId": str(order["PaymentId"]),
                    "OrderId": order["OrderId"],
                    "Amount": order["Amount"],
                }
            )
        if method == "Cancel":
            if order["Status"] not in ("NEW", "FORM_SHOWED"):
                return web.json_response({"Success": False, "ErrorCode": "9", "Message": "State"})
            order["Status"] = "CANCELED"
            return web.json_response(
                {
                    "Success": True,
                    "ErrorCode": "0",
                    "Status": "CANCELED",
                    "PaymentId": str(order["PaymentId"]),
                }
            )
        return web.json_response({"Success": False, "ErrorCode": "3", "Message": "Method"})

    def notification(self, order_id: str, status: str, **overrides: Any) -> dict[str, Any]:
        order = next(o for o in self.orders.values() if o["OrderId"] == order_id)
        order["Status"] = status
        body: dict[str, Any] = {
            "TerminalKey": TERMINAL_KEY,
            "OrderId": order_id,
            "Success": status not in ("REJECTED", "AUTH_FAIL"),
            "Status": status,
            "PaymentId": order["PaymentId"],
            "ErrorCode": "0",
            "Amount": order["Amount"],
            "CardId": 475738102,
            "Pan": "430000******0777",
            "ExpDate": "1230",
            **overrides,
        }
        body["Token"] = bank_token(body)
        return body

    async def notify(self, order_id: str, status: str, **overrides: Any) -> tuple[int, str]:
        """Delivers a NOTIFICATION to the NotificationURL given in Init, as the bank does."""
        body = self.notification(order_id, status, **overrides)
        url = next(o for o in self.orders.values() if o["OrderId"] == order_id)["NotificationURL"]
        async with aiohttp.ClientSession() as http, http.post(url, json=body) as answer:
            return answer.status, await answer.text()
