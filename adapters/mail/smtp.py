"""E-mail over SMTP (aiosmtplib).

LK_SMTP_URL: `smtp://user:password@host:port` (STARTTLS when the server offers it) or
`smtps://user:password@host:port` (TLS from the first byte, port 465 by default). Options in
the query: `starttls=required` (refuse to send in clear text), `starttls=off` (never upgrade,
for a local relay), `timeout=<seconds>` (default 30).
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from adapters.mail.base import Email, MailError

_STARTTLS = {"auto": None, "required": True, "off": False}


class SmtpMailer:
    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        use_tls: bool = False,
        start_tls: bool | None = None,
        timeout: float = 30,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.username = username
        self.password = password
        self.use_tls = use_tls
        self.start_tls = start_tls
        self.timeout = timeout

    @classmethod
    def from_url(cls, url: str, *, sender: str) -> SmtpMailer:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("LK_SMTP_URL must look like smtp://user:password@host:port")
        options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        starttls = options.get("starttls", "auto")
        if starttls not in _STARTTLS:
            raise ValueError("LK_SMTP_URL: starttls must be auto, required or off")
        implicit = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if implicit else 25),
            sender=sender,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=implicit,
            start_tls=False if implicit else _STARTTLS[starttls],
            timeout=float(options.get("timeout", 30)),
        )

    def build(self, email: Email) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = email.to
        message["Subject"] = email.subject
        message["Message-ID"] = make_msgid(domain=_domain(self.sender))
        message.set_content(email.body)
        for item in email.attachments:
            maintype, _, subtype = item.content_type.partition("/")
            message.add_attachment(
                item.data,
                maintype=maintype,
                subtype=subtype or "octet-stream",
                filename=item.filename,
            )
        return message

    async def send(self, email: Email) -> None:
        try:
            await aiosmtplib.send(
                self.build(email),
                hostname=self.host,
                port=self.port,
                username=self.username,
                password=self.password,
                use_tls=self.use_tls,
                start_tls=self.start_tls,
                timeout=self.timeout,
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            raise MailError(f"SMTP {self.host}:{self.port}: {error}") from error


def _domain(sender: str) -> str:
    address = sender.rsplit("<", 1)[-1].rstrip(">")
    return address.rpartition("@")[2] or "localhost"
