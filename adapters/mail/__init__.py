"""Outgoing e-mail: a small interface and one module per implementation, chosen by settings."""

from __future__ import annotations

from adapters.mail.base import Email, MailAttachment, Mailer, MailError

__all__ = ["Email", "MailAttachment", "MailError", "Mailer", "create_mailer"]


def create_mailer(smtp_url: str, *, sender: str) -> Mailer | None:
    """The SMTP mailer for LK_SMTP_URL; None when it is not set (development keeps the
    messages in the outbox for /dev/outbox)."""
    if not smtp_url:
        return None
    from adapters.mail.smtp import SmtpMailer

    return SmtpMailer.from_url(smtp_url, sender=sender)
