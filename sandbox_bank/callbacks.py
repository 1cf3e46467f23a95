"""The emulator telling the shop: a signed callback POSTed to the order's notification URL in
the background, re-sent with backoff until the answer is 200 `OK`."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
import orjson

from adapters.acquirers.sandbox import SIGNATURE_HEADER, signature_header
from infra.runtime import Runtime
from sandbox_bank.orders import get_order, order_view

log = logging.getLogger(__name__)
# Backoff between delivery attempts of one callback, seconds.
DELIVERY_BACKOFF = (0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300)


async def schedule_callback(rt: Runtime, order_id: str) -> None:
    """Sends the order's callback in the background (the customer's page does not wait for it);
    the task is cancelled with the app's other tasks."""
    order = await get_order(order_id)
    rt.tasks.start(
        deliver_callback(
            rt.http,
            url=order.notification_url,
            secret=rt.settings.sandbox_secret,
            payload=order_view(order),
        ),
        name=f"sandbox-callback-{order.id}",
    )


async def deliver_callback(
    http: aiohttp.ClientSession,
    *,
    url: str,
    secret: str,
    payload: dict[str, Any],
    backoff: tuple[float, ...] = DELIVERY_BACKOFF,
) -> bool:
    """POSTs a signed callback until the answer is 200 `OK`.

    Each attempt is signed anew (a retry hours later must still fall within the tolerance).
    Returns False when every attempt failed.
    """
    body = orjson.dumps(payload)
    for attempt, delay in enumerate((0.0, *backoff)):
        if delay:
            await asyncio.sleep(delay)
        headers = {
            SIGNATURE_HEADER: signature_header(secret, body),
            "Content-Type": "application/json",
        }
        try:
            async with http.post(url, data=body, headers=headers) as response:
                answer = await response.text()
                if response.status == 200 and answer.strip() == "OK":
                    return True
                log.info("sandbox callback attempt %d: %s %r", attempt + 1, response.status, answer)
        except (aiohttp.ClientError, TimeoutError) as error:
            log.info("sandbox callback attempt %d failed: %r", attempt + 1, error)
    return False
