"""The security code (captcha) check of the forms used without signing in.

A minimal version for the readings branch; the identity domain owns challenges and their images.
"""

from __future__ import annotations

import hmac
import uuid
from datetime import UTC, datetime

import models
from services.errors import DomainError, ErrorCode
from services.runtime import Runtime


def _invalid() -> DomainError:
    return DomainError.of(
        ErrorCode.CAPTCHA_INVALID,
        "Код с картинки введён неверно или устарел. Введите новый код.",
        "captchaAnswer",
    )


async def verify(rt: Runtime, *, captcha_id: str, answer: str) -> None:
    """Accepts the answer to a challenge once. Any attempt spends the challenge, right or wrong,
    so one image cannot be guessed at repeatedly. LK_CAPTCHA=disabled accepts anything."""
    if rt.settings.captcha == "disabled":
        return
    try:
        challenge_id = uuid.UUID(str(captcha_id))
    except ValueError:
        raise _invalid() from None
    challenge = await models.CaptchaChallenge.get_or_none(id=challenge_id)
    if challenge is None:
        raise _invalid()
    now = datetime.now(UTC)
    # Conditional update: of two racing attempts only one finds the challenge unused.
    spent = await models.CaptchaChallenge.filter(id=challenge_id, used_at=None).update(used_at=now)
    expected = rt.signer.digest(answer.strip().casefold(), purpose="captcha")
    if (
        not spent
        or challenge.expires_at <= now
        or not hmac.compare_digest(challenge.answer_hash, expected)
    ):
        raise _invalid()
