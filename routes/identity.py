"""Routes of the identity domain: no HTTP routes (everything is GraphQL); the housekeeping
task that deletes expired registrations and security-code challenges."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from routes.keys import RUNTIME
from services.identity import housekeeping as identity_housekeeping

log = logging.getLogger(__name__)


async def _housekeeping(app: web.Application) -> AsyncIterator[None]:
    rt = app[RUNTIME]
    if rt.settings.background_tasks:
        rt.tasks.append(
            asyncio.create_task(identity_housekeeping.run(), name="identity-housekeeping")
        )
    yield


def setup(app: web.Application) -> None:
    app.cleanup_ctx.append(_housekeeping)
