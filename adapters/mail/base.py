"""What a mailer takes and what it raises."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class MailAttachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Email:
    to: str
    subject: str
    body: str
    attachments: list[MailAttachment] = field(default_factory=list)


class MailError(Exception):
    """The message was not accepted; the outbox retries it later."""


class Mailer(Protocol):
    async def send(self, email: Email) -> None: ...
