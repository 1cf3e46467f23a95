"""The delivery pass itself, run by the test (the app's background tasks off): two passes at
once queue a bill once; an account back on paper before its turn gets nothing."""

from __future__ import annotations

import asyncio

import pytest

import models
from devdata.demo import IVAN_ACCOUNT
from routes.keys import RUNTIME
from services.ebill import delivery
from services.integration import api_keys
from tests.ebill.flows import DISABLE, enable, import_statements, statement
from tests.integration.conftest import IntegrationClient


@pytest.fixture
async def quiet(make_client):
    """The app without background tasks, and the integration endpoint with a billing key."""
    client = await make_client()
    key = (await api_keys.create_key(name="billing", scopes=["billing"])).secret
    return client, IntegrationClient(client), key


async def test_two_passes_at_once_queue_the_bill_once(quiet):
    client, integration, key = quiet
    ivan = await client.login("Ivan", "Ivan12345")
    await enable(client, ivan)
    await import_statements(integration, key, statement("2027-01-01"))
    rt = client.http.server.app[RUNTIME]

    await asyncio.gather(*(delivery.deliver_pending(rt) for _ in range(4)))

    assert await models.OutgoingMessage.filter(to="ivanov@ivan.ru").count() == 1
    row = await models.EbillDelivery.get(account__number=IVAN_ACCOUNT)
    message = await models.OutgoingMessage.get(to="ivanov@ivan.ru")
    assert (row.status, row.message_id) == (models.EbillDeliveryStatus.QUEUED, message.id)


async def test_back_on_paper_before_its_turn_gets_nothing(quiet):
    client, integration, key = quiet
    ivan = await client.login("Ivan", "Ivan12345")
    await enable(client, ivan)
    await import_statements(integration, key, statement("2027-01-01"))
    await client.execute(DISABLE, {"n": IVAN_ACCOUNT}, token=ivan)

    handled = await delivery.deliver_pending(client.http.server.app[RUNTIME])

    assert handled == 1
    row = await models.EbillDelivery.get(account__number=IVAN_ACCOUNT)
    assert row.status == models.EbillDeliveryStatus.SKIPPED
    assert await models.OutgoingMessage.all().count() == 0
