"""The security code (captcha): an image with a few characters, single use, 10 minutes.

Only a keyed hash of the answer is stored. LK_CAPTCHA=disabled (development and tests only;
production refuses it) accepts any answer.
"""

from __future__ import annotations

import asyncio
import base64
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from captcha.image import ImageCaptcha

import models
from infra.runtime import Runtime
from services.errors import DomainError, ErrorCode
from services.ids import parse_uuid

TTL = timedelta(minutes=10)
LENGTH = 5
# No 0/O, 1/I/L: characters a customer cannot tell apart in a noisy picture.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
WIDTH, HEIGHT = 180, 60


@dataclass(frozen=True, slots=True)
class CaptchaView:
    id: str
    # data: URL of the image
    image: str
    expires_at: datetime


def _answer_hash(rt: Runtime, answer: str) -> str:
    return rt.signer.digest(answer.strip().casefold(), purpose="captcha")


def _png(text: str) -> bytes:
    return ImageCaptcha(width=WIDTH, height=HEIGHT).generate(text, format="png").getvalue()


async def new_challenge(rt: Runtime, *, answer: str | None = None) -> CaptchaView:
    """A fresh challenge. `answer` is for tests, which cannot read the picture: the GraphQL
    resolver never passes it, so over HTTP the answer is always random."""
    answer = answer or "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    # Drawing takes a few milliseconds of CPU: off the event loop.
    image = await asyncio.to_thread(_png, answer)
    expires_at = datetime.now(UTC) + TTL
    row = await models.CaptchaChallenge.create(
        id=uuid.uuid4(), answer_hash=_answer_hash(rt, answer), expires_at=expires_at
    )
    return CaptchaView(
        id=str(row.id),
        image="data:image/png;base64," + base64.b64encode(image).decode(),
        expires_at=expires_at,
    )


async def verify(
    rt: Runtime, *, captcha_id: str, answer: str, field: str = "captchaAnswer"
) -> None:
    """Accepts the answer (case-insensitively) or raises CAPTCHA_INVALID. Every check uses the
    challenge up, right or wrong, so an answer cannot be guessed by retrying one picture.
    Callers check it before anything that could tell an unsolved request something."""
    if rt.settings.captcha == "disabled":
        return
    now = datetime.now(UTC)
    challenge_id = parse_uuid(captcha_id)
    row = await models.CaptchaChallenge.get_or_none(id=challenge_id) if challenge_id else None
    used = (
        row is not None
        and await models.CaptchaChallenge.filter(
            id=row.id, used_at=None, expires_at__gt=now
        ).update(used_at=now)
        == 1
    )
    if row is None or not used:
        raise DomainError.of(
            ErrorCode.CAPTCHA_INVALID, "Код с картинки устарел. Обновите картинку.", field
        )
    if not secrets.compare_digest(row.answer_hash, _answer_hash(rt, answer)):
        raise DomainError.of(
            ErrorCode.CAPTCHA_INVALID, "Неверный код с картинки. Попробуйте ещё раз.", field
        )


async def purge_expired(*, before: datetime) -> int:
    return await models.CaptchaChallenge.filter(expires_at__lt=before).delete()
