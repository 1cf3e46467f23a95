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

import asyncio
import base64
import html
import json
import logging
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote, unquote, urlsplit
from zoneinfo import ZoneInfo

import models
from adapters.mail import Email, MailAttachment, MailError
from adapters.sms import SmsError
from infra.runtime import Runtime
from services.reference import support_footer

log = logging.getLogger(__name__)

# A claimed message is not picked again for this long: if the process dies mid-send, another
# sender retries it after the lease (delivery is at least once).
CLAIM_LEASE = timedelta(minutes=2)
MAX_RETRY_DELAY = timedelta(hours=1)
BATCH_SIZE = 50
# What replaces a secret in a sent or expired message and in logged errors.
REDACTED = "[удалено]"
# A secret queued without its lifetime is kept (unsent) at most this long.
DEFAULT_SECRET_TTL = timedelta(hours=24)


# Notices to the old contact when the signed-in user's e-mail or phone changed (sent when the
# new one is confirmed, i.e. when it starts receiving codes, links and receipts). {new} is
# masked.
CONTACT_CHANGED_SUBJECT = "Изменены контактные данные в личном кабинете"
EMAIL_CHANGED_TEXT = """Здравствуйте!

В личном кабинете клиента (логин {login}) адрес электронной почты изменён на {new}.
Ссылки для восстановления пароля и копии чеков теперь приходят на новый адрес.

Если это сделали не вы, обратитесь в офис обслуживания или в службу поддержки клиентов:
доступ к кабинету мог получить посторонний.

С уважением,
служба поддержки клиентов
"""
PHONE_CHANGED_TEXT = """Здравствуйте!

В личном кабинете клиента (логин {login}) номер телефона изменён на {new}.
Коды для восстановления пароля теперь приходят на новый номер.

Если это сделали не вы, обратитесь в офис обслуживания или в службу поддержки клиентов:
доступ к кабинету мог получить посторонний.

С уважением,
служба поддержки клиентов
"""
EMAIL_CHANGED_SMS = (
    "В личном кабинете (логин {login}) e-mail изменён на {new}. "
    "Если это не вы, обратитесь в офис обслуживания."
)
PHONE_CHANGED_SMS = (
    "В личном кабинете (логин {login}) номер телефона изменён на {new}. "
    "Если это не вы, обратитесь в офис обслуживания."
)


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


def _secret_fields(secrets: Sequence[str], expires_in: timedelta | None) -> dict[str, object]:
    kept = [s for s in secrets if s]
    if not kept:
        return {}
    return {
        "secrets": kept,
        "secrets_expire_at": datetime.now(UTC) + (expires_in or DEFAULT_SECRET_TTL),
    }


async def enqueue_sms(
    *, to: str, body: str, secrets: Sequence[str] = (), expires_in: timedelta | None = None
) -> models.OutgoingMessage:
    """`secrets`: the parts of `body` to cut out once sent or after `expires_in`."""
    return await models.OutgoingMessage.create(
        channel=models.MessageChannel.SMS,
        to=to,
        body=body,
        next_attempt_at=datetime.now(UTC),
        **_secret_fields(secrets, expires_in),
    )


async def enqueue_email(
    *,
    to: str,
    subject: str,
    body: str,
    attachments: list[Attachment] | None = None,
    rt: Runtime | None = None,
    secrets: Sequence[str] = (),
    expires_in: timedelta | None = None,
) -> models.OutgoingMessage:
    """Pass `rt`: the e-mail then ends with the support contacts (LK_SUPPORT_*), as every
    e-mail to a customer should. `secrets`: the parts of `body` (links with tokens) to cut out
    once sent or after `expires_in`."""
    if rt is not None:
        body = f"{body.rstrip()}\n\n{support_footer(rt.settings)}\n"
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
        **_secret_fields(secrets, expires_in),
    )


def local_time(rt: Runtime, moment: datetime) -> str:
    """A moment as a person reads it in a message: the retailer's local time (LK_TIMEZONE)."""
    return f"{moment.astimezone(ZoneInfo(rt.settings.timezone)):%d.%m.%Y %H:%M}"


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


async def _drop_secrets(message: models.OutgoingMessage, **changes: object) -> None:
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
    ).limit(BATCH_SIZE * 10)
    for message in expired:
        changes: dict[str, object] = {}
        if message.status == models.MessageStatus.PENDING:
            changes = {
                "status": models.MessageStatus.FAILED,
                "last_error": "expired before it was sent",
            }
        await _drop_secrets(message, **changes)
    return len(expired)


# --- the sender


def retry_delay(rt: Runtime, attempts: int) -> timedelta:
    """Exponential backoff: the base delay after the first failure, doubled after each next."""
    seconds = rt.settings.outbox_retry_seconds * 2 ** max(attempts - 1, 0)
    return min(timedelta(seconds=seconds), MAX_RETRY_DELAY)


def _deliverable_channels(rt: Runtime) -> list[models.MessageChannel]:
    """Channels the sender handles now. In development a channel without a transport is
    "delivered" by keeping the message for /dev/outbox; in production such messages wait
    (pending) until the transport is configured."""
    channels = []
    if rt.mailer is not None or rt.settings.is_development:
        channels.append(models.MessageChannel.EMAIL)
    if rt.sms_gateway is not None or rt.settings.is_development:
        channels.append(models.MessageChannel.SMS)
    return channels


async def send_due(rt: Runtime, *, now: datetime | None = None) -> int:
    """Sends the pending messages that are due (at most one batch); answers how many were
    tried. The background sender calls it in a loop; tests call it (with `now`) directly."""
    now = now or datetime.now(UTC)
    await drop_expired_secrets(now=now)
    channels = _deliverable_channels(rt)
    if not channels:
        return 0
    due = (
        await models.OutgoingMessage.filter(
            status=models.MessageStatus.PENDING, next_attempt_at__lte=now, channel__in=channels
        )
        .order_by("next_attempt_at", "id")
        .limit(BATCH_SIZE)
    )
    tried = 0
    for message in due:
        # Claim the message by bumping its attempt counter (compare-and-set): two senders
        # (two workers) never send the same message in the same round.
        claimed = await models.OutgoingMessage.filter(
            id=message.id, status=models.MessageStatus.PENDING, attempts=message.attempts
        ).update(attempts=message.attempts + 1, next_attempt_at=now + CLAIM_LEASE)
        if not claimed:
            continue
        message.attempts += 1
        tried += 1
        await _deliver(rt, message, now=now)
    return tried


async def _deliver(rt: Runtime, message: models.OutgoingMessage, *, now: datetime) -> None:
    transported = False
    try:
        if message.channel == models.MessageChannel.EMAIL:
            if rt.mailer is not None:
                await rt.mailer.send(_email_of(message))
                transported = True
        elif rt.sms_gateway is not None:
            await rt.sms_gateway.send(to=message.to, text=message.body)
            transported = True
    except (MailError, SmsError) as error:
        await _failed(rt, message, now=now, error=redact(str(error), message.secrets))
        return
    except Exception as error:
        # A bug in a transport, not a refusal: logged with its traceback, and still counted
        # as a failed attempt, so that the message ends as failed instead of looping forever.
        # The traceback quotes the exception, which may quote the message: secrets cut out.
        text = redact("".join(traceback.format_exception(error)), message.secrets)
        log.error("outbox message %s: unexpected error\n%s", message.id, text)
        await _failed(
            rt, message, now=now, error=redact(f"{type(error).__name__}: {error}", message.secrets)
        )
        return
    sent = {"status": models.MessageStatus.SENT, "sent_at": datetime.now(UTC), "last_error": None}
    if transported:
        await _drop_secrets(message, **sent)
    else:
        # Development without a transport: /dev/outbox is the delivery, so the secret stays
        # readable there until it expires.
        await models.OutgoingMessage.filter(id=message.id).update(**sent)


async def _failed(
    rt: Runtime, message: models.OutgoingMessage, *, now: datetime, error: str
) -> None:
    failed = message.attempts >= rt.settings.outbox_max_attempts
    await models.OutgoingMessage.filter(id=message.id).update(
        status=models.MessageStatus.FAILED if failed else models.MessageStatus.PENDING,
        next_attempt_at=now + retry_delay(rt, message.attempts),
        last_error=error[:500],
    )
    log.warning(
        "outbox message %s (%s) attempt %s failed%s: %s",
        message.id,
        message.channel.value,
        message.attempts,
        ", giving up" if failed else "",
        error,
    )


def _email_of(message: models.OutgoingMessage) -> Email:
    return Email(
        to=message.to,
        subject=message.subject or "",
        body=message.body,
        attachments=[
            MailAttachment(a["filename"], a["contentType"], base64.b64decode(a["data"]))
            for a in message.attachments or []
        ],
    )


async def run_sender(rt: Runtime) -> None:
    """The background sender: sends what is due, then sleeps for the poll interval."""
    while True:
        try:
            while await send_due(rt) == BATCH_SIZE:
                pass
        except asyncio.CancelledError:
            raise
        except Exception:
            # A database hiccup must not stop the sender for good; the next round retries.
            log.exception("outbox sender round failed")
        await asyncio.sleep(rt.settings.outbox_poll_seconds)


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
