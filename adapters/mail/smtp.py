"""E-mail over SMTP (aiosmtplib).

LK_SMTP_URL: `smtp://user:password@host:port` (STARTTLS when the server offers it) or
`smtps://user:password@host:port` (TLS from the first byte, port 465 by default). Options in
the query: `starttls=required` (refuse to send in clear text), `starttls=off` (never upgrade,
for a local relay), `timeout=<seconds>` (default 30).
"""

from __future__ import annotations

import base64
from email.message import EmailMessage
from email.policy import Policy
from email.utils import make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from adapters.mail.base import Email, MailError

_STARTTLS = {"auto": None, "required": True, "off": False}
# Bytes of text per RFC 2047 encoded word: 56 characters of base64, 68 with the frame.
_WORD_BYTES = 42


class EncodedSubject:
    """A Subject that keeps its spaces. The standard library's folding (Python 3.11, the SMTP
    policy aiosmtplib sends with) splits a non-ASCII subject into encoded words and drops a
    space that falls between two of them («показания за март» arrived as «замарт»): readers
    ignore the whitespace between encoded words. Here each word carries its own spaces inside
    (base64 of whole characters), and the words are folded onto lines of their own."""

    name = "Subject"

    def __init__(self, text: str) -> None:
        self.text = " ".join(text.split())

    def __str__(self) -> str:
        return self.text

    def fold(self, *, policy: Policy) -> str:
        if self.text.isascii():
            return policy.header_factory(self.name, self.text).fold(policy=policy)  # type: ignore[attr-defined]
        words, chunk = [], b""
        for char in self.text:
            encoded = char.encode()
            if len(chunk) + len(encoded) > _WORD_BYTES:
                words.append(chunk)
                chunk = b""
            chunk += encoded
        words.append(chunk)
        encoded_words = [f"=?utf-8?b?{base64.b64encode(w).decode()}?=" for w in words]
        return f"{self.name}: {(policy.linesep + ' ').join(encoded_words)}{policy.linesep}"


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
        message["Subject"] = EncodedSubject(email.subject)
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
