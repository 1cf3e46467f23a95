"""A small GraphQL client over the aiohttp test client: HTTP and graphql-transport-ws."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from aiohttp.test_utils import TestClient

LOGIN = """
mutation Login($login: String!, $password: String!) {
  login(login: $login, password: $password) {
    accessToken refreshToken expiresAt
    user { login }
    errors { field code message }
  }
}
"""


class GraphQLClient:
    def __init__(self, http: TestClient, path: str = "/graphql") -> None:
        self.http = http
        self.path = path

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """The whole response body; fails the test on a non-200 answer."""
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        response = await self.http.post(
            self.path, json={"query": query, "variables": variables or {}}, headers=all_headers
        )
        body = await response.json()
        assert response.status == 200, body
        return body

    async def execute(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        """The data of a request that must not have top-level errors."""
        body = await self.post(query, variables, token)
        assert not body.get("errors"), body["errors"]
        return body["data"]

    async def login(self, login: str, password: str) -> str:
        data = await self.execute(LOGIN, {"login": login, "password": password})
        assert data["login"]["errors"] == [], data
        return data["login"]["accessToken"]

    async def subscribe(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> Subscription:
        ws = await self.http.ws_connect(self.path, protocols=["graphql-transport-ws"])
        payload = {"authorization": f"Bearer {token}"} if token else {}
        await ws.send_json({"type": "connection_init", "payload": payload})
        ack = await ws.receive_json(timeout=5)
        assert ack["type"] == "connection_ack", ack
        await ws.send_json(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": query, "variables": variables or {}},
            }
        )
        return Subscription(ws)


class Subscription:
    def __init__(self, ws: Any) -> None:
        self.ws = ws

    async def next(self, timeout: float = 5) -> dict[str, Any]:
        """The next `next` message's payload (data and errors), skipping pings."""
        while True:
            message = await asyncio.wait_for(self.ws.receive_json(), timeout)
            if message["type"] == "ping":
                await self.ws.send_json({"type": "pong"})
                continue
            if message["type"] in ("next", "error", "complete"):
                return message
            raise AssertionError(f"unexpected message {message}")

    async def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        while True:
            yield await self.next()

    async def close(self) -> None:
        await self.ws.close()
