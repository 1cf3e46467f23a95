"""The outbox: every SMS and e-mail is written to the database first, inside the caller's
transaction when there is one, and sent later by the background sender (so a message survives a
restart and a failed send is retried)."""

from __future__ import annotations

import asyncio
import base64
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import models
from adapters.mail import Email, MailAttachment, MailError
from adapters.sms import SmsError
from services.reference import support_footer
from services.runtime import Runtime

log = logging.getLogger(__name__)

# A claimed message is not picked again for this long: if the process dies mid-send, another
# sender retries it after the lease (delivery is at least once).
CLAIM_LEASE = timedelta(minutes=2)
MAX_RETRY_DELAY = timedelta(hours=1)
BATCH_SIZE = 50


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


async def enqueue_sms(*, to: str, body: str) -> models.OutgoingMessage:
    return await models.OutgoingMessage.create(
        channel=models.MessageChannel.SMS, to=to, body=body, next_attempt_at=datetime.now(UTC)
    )


async def enqueue_email(
    *,
    to: str,
    subject: str,
    body: str,
    attachments: list[Attachment] | None = None,
    rt: Runtime | None = None,
) -> models.OutgoingMessage:
    """Pass `rt`: the e-mail then ends with the support contacts (LK_SUPPORT_*), as every
    e-mail to a customer should."""
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
    )


def local_time(rt: Runtime, moment: datetime) -> str:
    """A moment as a person reads it in a message: the retailer's local time (LK_TIMEZONE)."""
    return f"{moment.astimezone(ZoneInfo(rt.settings.timezone)):%d.%m.%Y %H:%M}"


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
    try:
        if message.channel == models.MessageChannel.EMAIL:
            if rt.mailer is not None:
                await rt.mailer.send(_email_of(message))
        elif rt.sms_gateway is not None:
            await rt.sms_gateway.send(to=message.to, text=message.body)
    except (MailError, SmsError) as error:
        await _failed(rt, message, now=now, error=str(error))
        return
    except Exception as error:
        # A bug in a transport, not a refusal: logged with its traceback, and still counted
        # as a failed attempt, so that the message ends as failed instead of looping forever.
        log.exception("outbox message %s: unexpected error", message.id)
        await _failed(rt, message, now=now, error=f"{type(error).__name__}: {error}")
        return
    await models.OutgoingMessage.filter(id=message.id).update(
        status=models.MessageStatus.SENT, sent_at=datetime.now(UTC), last_error=None
    )


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
