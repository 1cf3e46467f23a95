"""Acquirers (card and SBP payments) behind one interface, chosen by LK_PAYMENT_PROVIDER."""

from __future__ import annotations

import aiohttp

from adapters.acquirers.base import (
    Acquirer,
    AcquirerError,
    CallbackMalformed,
    CallbackRejected,
    Order,
    OrderItem,
    Refund,
    Registration,
    StatusReport,
    to_kopecks,
)
from settings import Settings

__all__ = [
    "Acquirer",
    "AcquirerError",
    "CallbackMalformed",
    "CallbackRejected",
    "Order",
    "OrderItem",
    "Refund",
    "Registration",
    "StatusReport",
    "create_acquirer",
    "to_kopecks",
]


def create_acquirer(settings: Settings, http: aiohttp.ClientSession) -> Acquirer:
    """The acquirer named by settings.payment_provider, using the app's aiohttp session."""
    if settings.payment_provider == "tbank":
        from adapters.acquirers.tbank import TBankAcquirer

        return TBankAcquirer(
            http,
            url=settings.tbank_url,
            terminal_key=settings.tbank_terminal_key,
            password=settings.tbank_password,
        )
    from adapters.acquirers.sandbox import SandboxAcquirer

    return SandboxAcquirer(http, url=settings.public_url, secret=settings.sandbox_secret)
