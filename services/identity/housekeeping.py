"""Deleting what expired: abandoned registrations (with their codes), captcha challenges,
old sign-in failures, codes and limit counters."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import models
from services import limits
from services.identity import auth, captcha, registration

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 3600
# Kept a day past their expiry: codes still count towards today's limit until then.
KEEP = timedelta(days=1)


async def purge(*, now: datetime | None = None) -> None:
    now = now or datetime.now(UTC)
    await registration.purge_expired(before=now - KEEP)
    await captcha.purge_expired(before=now)
    await models.VerificationCode.filter(expires_at__lt=now - KEEP).delete()
    await models.LoginAttempt.filter(created_at__lt=now - auth.FAILED_LOGINS_WINDOW).delete()
    await limits.purge_expired(before=now)


async def run() -> None:
    while True:
        try:
            await purge()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("identity housekeeping failed")
        await asyncio.sleep(INTERVAL_SECONDS)
