"""What an SMS gateway takes and what it raises."""

from __future__ import annotations

from typing import Protocol


class SmsError(Exception):
    """The gateway did not accept the message; the outbox retries it later."""


class SmsGateway(Protocol):
    async def send(self, *, to: str, text: str) -> None: ...
