"""Routes of the messages domain: the transports, the outbox sender and GET /dev/outbox."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from adapters.mail import create_mailer
from adapters.sms import create_sms_gateway
from routes.keys import RUNTIME
from services.messages import outbox
from services.messages.sender import run_sender

log = logging.getLogger(__name__)

DEV_OUTBOX_LIMIT = 100


async def dev_outbox(request: web.Request) -> web.Response:
    """Development only: the outbox, newest first; `?to=` narrows it to one recipient."""
    rows = await outbox.recent_messages(limit=DEV_OUTBOX_LIMIT, to=request.query.get("to") or None)
    return web.json_response(rows)


async def _transports(app: web.Application) -> AsyncIterator[None]:
    rt = app[RUNTIME]
    rt.mailer = create_mailer(rt.settings.smtp_url, sender=rt.settings.smtp_from)
    rt.sms_gateway = create_sms_gateway(rt.settings.sms_url, http=rt.http)
    if not rt.settings.is_development:
        for name, transport in (("LK_SMTP_URL", rt.mailer), ("LK_SMS_URL", rt.sms_gateway)):
            if transport is None:
                log.warning("%s is not set: such messages stay pending in the outbox", name)
    sender = None
    if rt.settings.background_tasks:
        sender = asyncio.create_task(run_sender(rt), name="outbox-sender")
        rt.tasks.append(sender)
    yield
    # Stopped here, before the HTTP client session it sends through is closed.
    if sender is not None:
        sender.cancel()
        await asyncio.gather(sender, return_exceptions=True)


def setup(app: web.Application) -> None:
    app.cleanup_ctx.append(_transports)
    if app[RUNTIME].settings.is_development:
        app.router.add_get("/dev/outbox", dev_outbox)
