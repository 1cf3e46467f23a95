"""Fixtures of the integration endpoint: a client on /integration/graphql and API keys."""

from __future__ import annotations

from typing import Any

import pytest

from infra.runtime import Runtime
from routes.keys import RUNTIME
from services.integration import api_keys
from tests.graphql import GraphQLClient, Subscription

PATH = "/integration/graphql"


class IntegrationClient:
    """Posts to /integration/graphql with `Authorization: ApiKey <key>`."""

    def __init__(self, client: GraphQLClient) -> None:
        self.graphql = GraphQLClient(client.http, path=PATH)
        self.http = client.http

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        key: str | None = None,
        authorization: str | None = None,
    ) -> dict[str, Any]:
        headers = {}
        if key:
            headers["Authorization"] = f"ApiKey {key}"
        if authorization:
            headers["Authorization"] = authorization
        return await self.graphql.post(query, variables, headers=headers)

    async def execute(
        self, query: str, variables: dict[str, Any] | None = None, *, key: str
    ) -> dict[str, Any]:
        body = await self.post(query, variables, key=key)
        assert not body.get("errors"), body["errors"]
        return body["data"]

    async def subscribe(
        self, query: str, *, authorization: str | None
    ) -> tuple[Subscription, dict[str, Any]]:
        """Opens a graphql-transport-ws subscription; answers it and the server's first reply
        to connection_init (connection_ack, or a close when refused)."""
        ws = await self.http.ws_connect(PATH, protocols=["graphql-transport-ws"])
        payload = {"authorization": authorization} if authorization else {}
        await ws.send_json({"type": "connection_init", "payload": payload})
        message = await ws.receive(timeout=5)
        ack = message.json() if message.type.name == "TEXT" else {"type": message.type.name}
        if ack.get("type") == "connection_ack":
            await ws.send_json(
                {"id": "1", "type": "subscribe", "payload": {"query": query, "variables": {}}}
            )
        return Subscription(ws), ack


@pytest.fixture
async def integration(client: GraphQLClient) -> IntegrationClient:
    return IntegrationClient(client)


@pytest.fixture
def runtime(client: GraphQLClient) -> Runtime:
    return client.http.server.app[RUNTIME]


@pytest.fixture
async def billing_key(client: GraphQLClient) -> str:
    return (await api_keys.create_key(name="billing", scopes=["billing"])).secret


@pytest.fixture
async def dashboard_key(client: GraphQLClient) -> str:
    return (await api_keys.create_key(name="dashboard", scopes=["dashboard"])).secret
