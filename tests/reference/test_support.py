"""support: how to reach the retailer's support, from settings with the guide's defaults."""

from __future__ import annotations

import pytest

from server import create_app
from tests.graphql import GraphQLClient

SUPPORT = "{ support { phone email site hours } }"


async def test_support_answers_the_guides_contacts_by_default(client: GraphQLClient):
    data = await client.execute(SUPPORT)

    assert data["support"] == {
        "phone": "+7 (3435) 230 255",
        "email": "lk@ntesk.ru",
        "site": "https://ntesk.ru",
        "hours": None,
    }


@pytest.mark.usefixtures("clean_database")
async def test_support_answers_the_configured_contacts(make_settings, aiohttp_client):
    settings = make_settings(
        support_phone="8 800 000-00-00",
        support_email="help@example.ru",
        support_site="",
        support_hours="Пн–Пт 8:00–17:00",
    )
    client = GraphQLClient(await aiohttp_client(create_app(settings)))

    data = await client.execute(SUPPORT)

    assert data["support"] == {
        "phone": "8 800 000-00-00",
        "email": "help@example.ru",
        "site": None,
        "hours": "Пн–Пт 8:00–17:00",
    }
