"""Fixtures of the electronic-bill tests: the app on a real port that its LK_PUBLIC_URL names
(links in e-mails open this very app), with its background tasks running (the e-bill pass and
the outbox sender, polling every 50 ms) and delivering e-mail over SMTP to a local aiosmtpd
server; the integration endpoint with a billing key."""

from __future__ import annotations

import asyncio
import email
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP

import models
from services.integration import api_keys
from tests.graphql import GraphQLClient
from tests.integration.conftest import IntegrationClient

# node (with the npm packages of tests/js) and the system's chromium, as the GraphiQL test uses.
from tests.platform.test_js_clients import chromium, node  # noqa: F401

# The app on a real port that its public URL names (tests/served.py).
from tests.served import make_client  # noqa: F401


class Mailbox:
    """An aiosmtpd handler that keeps every e-mail it receives, parsed."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.port = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(message)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.received if address.lower() in str(m["To"]).lower()]

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
async def mailbox():
    box = Mailbox()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(box), "127.0.0.1", 0)
    box.port = server.sockets[0].getsockname()[1]
    yield box
    server.close()
    await server.wait_closed()


@pytest.fixture
async def client(make_client, mailbox) -> GraphQLClient:  # noqa: F811
    return await make_client(
        smtp_url=f"smtp://127.0.0.1:{mailbox.port}?starttls=off",
        background_tasks=True,
        outbox_poll_seconds=0.05,
    )


@pytest.fixture
async def integration(client: GraphQLClient) -> IntegrationClient:
    return IntegrationClient(client)


@pytest.fixture
async def billing_key(client: GraphQLClient) -> str:
    return (await api_keys.create_key(name="billing", scopes=["billing"])).secret


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def attachments_of(message: EmailMessage) -> list[tuple[str, bytes]]:
    found: list[tuple[str, Any]] = []
    for part in message.iter_attachments():
        found.append((part.get_filename(), part.get_payload(decode=True)))
    return found


async def sent_copy(**filters: Any) -> models.OutgoingMessage:
    """The outbox row once the sender marked it sent (it does so just after the SMTP server
    took the e-mail)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while True:
        row = await models.OutgoingMessage.get(**filters)
        if row.status == models.MessageStatus.SENT:
            return row
        assert loop.time() < deadline, row.status
        await asyncio.sleep(0.05)
