"""Security codes whose answer a test knows (tests cannot read the pictures)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import models
from infra.crypto import Signer
from tests.conftest import TEST_SECRET


async def challenge(answer: str, *, expires_in: timedelta = timedelta(minutes=10)) -> str:
    """The id of a stored challenge whose picture reads `answer`."""
    row = await models.CaptchaChallenge.create(
        id=uuid.uuid4(),
        answer_hash=Signer(TEST_SECRET).digest(answer.casefold(), purpose="captcha"),
        expires_at=datetime.now(UTC) + expires_in,
    )
    return str(row.id)
