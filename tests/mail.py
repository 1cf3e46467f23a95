"""A local SMTP server (aiosmtpd on a real socket) as the mailbox of the tests whose app sends
e-mail: import the `mailbox` fixture into a conftest and pass `mailbox.smtp_url` to the app."""

from __future__ import annotations

import asyncio
import email
from collections.abc import AsyncIterator
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.smtp import SMTP


class Mailbox:
    """An aiosmtpd handler that keeps every e-mail it receives, parsed, with the envelope's
    recipients."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], EmailMessage]] = []
        self.port = 0

    @property
    def smtp_url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?starttls=off"

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        """The e-mails to `address` (the envelope's recipient, in any case)."""
        wanted = address.lower()
        return [m for recipients, m in self.received if wanted in (r.lower() for r in recipients)]

    async def wait_for(
        self, count: int, *, address: str, timeout: float = 15
    ) -> list[EmailMessage]:
        """The e-mails to `address` once there are `count` of them (fails after `timeout`)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.to(address)) < count:
            assert loop.time() < deadline, f"{len(self.to(address))} e-mails to {address}"
            await asyncio.sleep(0.05)
        return self.to(address)


@pytest.fixture
async def mailbox() -> AsyncIterator[Mailbox]:
    box = Mailbox()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(box), "127.0.0.1", 0)
    box.port = server.sockets[0].getsockname()[1]
    yield box
    server.close()
    await server.wait_closed()
