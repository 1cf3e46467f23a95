"""The background sender: delivers the outbox's due messages through the mailer and the SMS
gateway, retrying a failed send with backoff and cutting secrets out once a message is sent."""

from __future__ import annotations

import asyncio
import base64
import logging
import traceback
from datetime import UTC, datetime, timedelta

import models
from adapters.mail import Email, MailAttachment, MailError
from adapters.sms import SmsError
from infra.runtime import Runtime
from services.messages.outbox import drop_expired_secrets, drop_secrets, redact

log = logging.getLogger(__name__)

# A claimed message is not picked again for this long: if the process dies mid-send, another
# sender retries it after the lease (delivery is at least once).
CLAIM_LEASE = timedelta(minutes=2)
MAX_RETRY_DELAY = timedelta(hours=1)
BATCH_SIZE = 50


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
        await drop_secrets(message, **sent)
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
