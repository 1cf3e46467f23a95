"""Fixtures of the electronic-bill tests: the app on a real port that its LK_PUBLIC_URL names
(links in e-mails open this very app), with its background tasks running (the e-bill pass and
the outbox sender, polling every 50 ms) and delivering e-mail over SMTP to a local aiosmtpd
server; the integration endpoint with a billing key."""

from __future__ import annotations

import asyncio
from email.message import EmailMessage
from typing import Any

import pytest

import models
from services.integration import api_keys
from tests.graphql import GraphQLClient
from tests.integration.conftest import IntegrationClient
from tests.mail import mailbox  # noqa: F401

# node (with the npm packages of tests/js) and the system's chromium, as the GraphiQL test uses.
from tests.platform.test_js_clients import chromium, node  # noqa: F401

# The app on a real port that its public URL names (tests/served.py).
from tests.served import make_client  # noqa: F401


@pytest.fixture
async def client(make_client, mailbox) -> GraphQLClient:  # noqa: F811
    return await make_client(
        smtp_url=mailbox.smtp_url,
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
