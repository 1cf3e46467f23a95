"""The outbox: every SMS and e-mail is written to the database first, inside the caller's
transaction when there is one, and sent later by the background sender (so a message survives a
restart and a failed send is retried)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime

import models


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


async def enqueue_sms(*, to: str, body: str) -> models.OutgoingMessage:
    return await models.OutgoingMessage.create(
        channel=models.MessageChannel.SMS, to=to, body=body, next_attempt_at=datetime.now(UTC)
    )


async def enqueue_email(
    *, to: str, subject: str, body: str, attachments: list[Attachment] | None = None
) -> models.OutgoingMessage:
    return await models.OutgoingMessage.create(
        channel=models.MessageChannel.EMAIL,
        to=to,
        subject=subject,
        body=body,
        attachments=[
            {
                "filename": a.filename,
                "contentType": a.content_type,
                "data": base64.b64encode(a.data).decode(),
            }
            for a in attachments or []
        ],
        next_attempt_at=datetime.now(UTC),
    )
