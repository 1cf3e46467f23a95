"""The outbox: every SMS and e-mail is written to the database first, inside the caller's
transaction when there is one, and sent later by the background sender (so a message survives a
restart and a failed send is retried).

A message that carries a secret (an SMS code, a link with a token) names it when queued
(`secrets`, `expires_in`). The outbox keeps the fact, not the secret: once the message is sent,
or once the secret expires unsent, the secret is cut out of the body. An error a transport
reports (a gateway may echo the text it refused) is logged and stored without the secrets.
In development without a transport, "delivery" is the /dev/outbox page itself: the secret
stays readable there until it expires.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import ParamSpec
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import models
from infra.runtime import Runtime
from services.reference import support_footer

# Messages whose secrets expired, handled per sender round.
EXPIRED_BATCH_SIZE = 500
# What replaces a secret in a sent or expired message and in logged errors.
REDACTED = "[удалено]"
# A secret queued without its lifetime is kept (unsent) at most this long.
DEFAULT_SECRET_TTL = timedelta(hours=24)

P = ParamSpec("P")


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


def _kept_secrets(
    secrets: Sequence[str], expires_in: timedelta | None
) -> tuple[list[str] | None, datetime | None]:
    """The secrets to store and when they expire; (None, None) when there are none."""
    kept = [s for s in secrets if s]
    if not kept:
        return None, None
    return kept, datetime.now(UTC) + (expires_in or DEFAULT_SECRET_TTL)


async def enqueue_sms(
    *, to: str, body: str, secrets: Sequence[str] = (), expires_in: timedelta | None = None
) -> models.OutgoingMessage:
    """`secrets`: the parts of `body` to cut out once sent or after `expires_in`."""
    kept, expire_at = _kept_secrets(secrets, expires_in)
    return await models.OutgoingMessage.create(
        channel=models.MessageChannel.SMS,
        to=to,
        body=body,
        next_attempt_at=datetime.now(UTC),
        secrets=kept,
        secrets_expire_at=expire_at,
    )


def email_message(
    *,
    to: str,
    subject: str,
    body: str,
    attachments: list[Attachment] | None = None,
    rt: Runtime | None = None,
    secrets: Sequence[str] = (),
    expires_in: timedelta | None = None,
) -> models.OutgoingMessage:
    """An e-mail for the outbox, not saved yet: `enqueue_email` saves it; a caller that inserts
    it in a statement of its own (the payment callback's one write, services/payments/events.py)
    takes it as it is. Pass `rt`: the e-mail then ends with the support contacts (LK_SUPPORT_*),
    as every e-mail to a customer should. `secrets`: the parts of `body` (links with tokens) to
    cut out once sent or after `expires_in`."""
    if rt is not None:
        body = f"{body.rstrip()}\n\n{support_footer(rt.settings)}\n"
    kept, expire_at = _kept_secrets(secrets, expires_in)
    now = datetime.now(UTC)
    return models.OutgoingMessage(
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
        next_attempt_at=now,
        created_at=now,
        secrets=kept,
        secrets_expire_at=expire_at,
    )


def _queued(
    build: Callable[P, models.OutgoingMessage],
) -> Callable[P, Awaitable[models.OutgoingMessage]]:
    """`build` with the message it answers saved: queued for the sender."""

    async def enqueue(*args: P.args, **kwargs: P.kwargs) -> models.OutgoingMessage:
        message = build(*args, **kwargs)
        await message.save(force_create=True)
        return message

    return enqueue


# Queues an e-mail: the arguments of `email_message`, the message saved.
enqueue_email = _queued(email_message)


# --- secrets


def _forms(secret: str) -> set[str]:
    """The secret as a transport or its error text may spell it: as is, URL-quoted or not,
    JSON- or HTML-escaped; for a link, also the long values of its query (the tokens)."""
    parts = {secret}
    if secret.startswith(("http://", "https://")):
        parts |= {v for _, v in parse_qsl(urlsplit(secret).query) if len(v) >= 16}
    forms: set[str] = set()
    for part in parts:
        for text in (part, unquote(part)):
            forms |= {
                text,
                quote(text, safe=""),
                quote(text),
                json.dumps(text)[1:-1],
                json.dumps(text, ensure_ascii=False)[1:-1],
                text.replace("/", "\\/"),
                html.escape(text),
            }
    return {f for f in forms if len(f) >= 4}


def redact(text: str, secrets: Iterable[str] | None) -> str:
    """`text` with every form of each secret replaced by REDACTED (longest first, so a link
    goes whole before its token)."""
    forms: set[str] = set()
    for secret in secrets or ():
        forms |= _forms(secret)
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, REDACTED)
    return text


async def drop_secrets(message: models.OutgoingMessage, **changes: object) -> None:
    """Applies `changes` and, when the message holds secrets, cuts them out of its body."""
    if message.secrets:
        changes.update(
            body=redact(message.body, message.secrets), secrets=None, secrets_expire_at=None
        )
    await models.OutgoingMessage.filter(id=message.id).update(**changes)


async def drop_expired_secrets(*, now: datetime) -> int:
    """Cuts expired secrets out of the outbox; a message still unsent by then is given up
    (a dead code is of no use to anybody). Answers how many messages changed."""
    expired = await models.OutgoingMessage.filter(
        secrets_expire_at__lte=now, secrets__isnull=False
    ).limit(EXPIRED_BATCH_SIZE)
    for message in expired:
        changes: dict[str, object] = {}
        if message.status == models.MessageStatus.PENDING:
            changes = {
                "status": models.MessageStatus.FAILED,
                "last_error": "expired before it was sent",
            }
        await drop_secrets(message, **changes)
    return len(expired)


# --- developers' view


async def recent_messages(*, limit: int = 100, to: str | None = None) -> list[dict[str, object]]:
    """The newest messages first, as GET /dev/outbox answers them."""
    query = models.OutgoingMessage.all()
    if to:
        query = query.filter(to=to)
    rows = await query.order_by("-created_at", "-id").limit(limit)
    return [
        {
            "id": row.id,
            "channel": row.channel.value,
            "to": row.to,
            "subject": row.subject,
            "body": row.body,
            "status": row.status.value,
            "attempts": row.attempts,
            "attachments": [a["filename"] for a in row.attachments or []],
            "createdAt": row.created_at.isoformat(),
        }
        for row in rows
    ]
