"""Signed, short-lived links to documents: what a link names, and its signature check.

A link carries the whole request (account, kind, dates, payment) and the user who asked for it,
signed with the server's secret (HMAC-SHA256), so the download needs no session: a customer may
hand it to a browser or an integrator may fetch it. Changing any byte breaks the signature.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from typing import Any

from infra.runtime import Runtime
from services import limits

PURPOSE = "document"
# PDFs and charts one user's links may have drawn an hour, all kinds together (a PDF costs
# 65-140 ms of CPU, a PNG chart about 40): without a limit one signed-in user, or whoever holds
# a link for its minutes, could keep a core busy. Reserved before the drawing; HEAD requests
# draw nothing and count nothing.
RENDERS_PER_USER_HOUR = 60


class DocumentKind(Enum):
    PAYMENT_HISTORY = "PAYMENT_HISTORY"
    CHARGE_HISTORY = "CHARGE_HISTORY"
    READING_HISTORY = "READING_HISTORY"
    PAYMENT_DOCUMENT = "PAYMENT_DOCUMENT"
    PAYMENT_RECEIPT = "PAYMENT_RECEIPT"


@dataclass(frozen=True, slots=True)
class DocumentRequest:
    """One document, with its arguments already checked (dates set, period resolved)."""

    user_id: int
    account_id: int
    kind: DocumentKind
    from_: date | None = None
    to: date | None = None
    period: date | None = None
    payment_id: str | None = None


class LinkRefused(Exception):
    """The link is not served: `reason` is "invalid" (altered, foreign), "expired", "gone" or
    "limited" (the user's pictures of the hour are drawn)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def sign(rt: Runtime, request: DocumentRequest, *, ttl_seconds: int) -> str:
    # Short keys keep the URL short; "p" and "e" belong to the signer (purpose, expiry).
    body: dict[str, Any] = {"u": request.user_id, "a": request.account_id, "k": request.kind.value}
    for key, value in (
        ("f", request.from_),
        ("t", request.to),
        ("d", request.period),
        ("y", request.payment_id),
    ):
        if value is not None:
            body[key] = value.isoformat() if isinstance(value, date) else value
    return rt.signer.sign(body, purpose=PURPOSE, ttl_seconds=ttl_seconds)


def verify(rt: Runtime, token: str) -> DocumentRequest:
    body, reason = rt.signer.unsign(token, purpose=PURPOSE)
    if body is None:
        raise LinkRefused(reason or "invalid")
    try:
        return DocumentRequest(
            user_id=int(body["u"]),
            account_id=int(body["a"]),
            kind=DocumentKind(body["k"]),
            from_=_date(body.get("f")),
            to=_date(body.get("t")),
            period=_date(body.get("d")),
            payment_id=str(body["y"]) if "y" in body else None,
        )
    except (KeyError, TypeError, ValueError):
        # Signed by us but not in this shape (e.g. a format of an older release).
        raise LinkRefused("invalid") from None


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if value is not None else None


async def reserve_render(user_id: int) -> None:
    """Takes one of the user's drawings of the hour; LinkRefused("limited") when none is
    left."""
    window = limits.fixed_window(f"render:user:{user_id}", timedelta(hours=1))
    if not await limits.reserve(window, limit=RENDERS_PER_USER_HOUR):
        raise LinkRefused("limited")
