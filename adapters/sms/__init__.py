"""Outgoing SMS: a small interface and one module per implementation, chosen by settings."""

from __future__ import annotations

import aiohttp

from adapters.sms.base import SmsError, SmsGateway

__all__ = ["SmsError", "SmsGateway", "create_sms_gateway"]


def create_sms_gateway(sms_url: str, *, http: aiohttp.ClientSession) -> SmsGateway | None:
    """The HTTP gateway for LK_SMS_URL; None when it is not set (development keeps the
    messages in the outbox for /dev/outbox)."""
    if not sms_url:
        return None
    from adapters.sms.http import HttpSmsGateway

    return HttpSmsGateway(sms_url, http=http)
