"""A graphql-transport-ws connection that runs several operations at once and reports how the
server closed it, and helpers to make tokens of a given lifetime."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from typing import Any

import aiohttp

from routes.keys import RUNTIME
from tests.graphql import GraphQLClient

ME = "{ me { login } }"


# How long an expected message may take before the test fails: a limit for a hang, not a
# measure of speed (CI runs two suites and the fuzzing side by side on two cores). Tests that
# assert promptness (a socket closed within 3 s) pass their own timeout.
EXPECTED = 15.0


class Connection:
    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.messages: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.close_code: int | None = None
        self.close_reason: str | None = None
        self._ids = 0

    @classmethod
    async def open(
        cls, client: GraphQLClient, authorization: str | None, path: str = "/graphql"
    ) -> tuple[Connection, dict[str, Any]]:
        """Connects; answers the connection and the server's reply to connection_init
        (connection_ack, or {"type": "close", "code": ...} when refused)."""
        ws = await client.http.ws_connect(path, protocols=["graphql-transport-ws"])
        connection = cls(ws)
        payload = {"authorization": authorization} if authorization else {}
        await ws.send_json({"type": "connection_init", "payload": payload})
        message = await connection._receive(EXPECTED)
        return connection, message or {"type": "close", "code": connection.close_code}

    async def start(self, query: str, variables: dict[str, Any] | None = None) -> str:
        self._ids += 1
        op_id = str(self._ids)
        payload = {"query": query, "variables": variables or {}}
        await self.ws.send_json({"id": op_id, "type": "subscribe", "payload": payload})
        return op_id

    async def next(self, op_id: str, timeout: float = EXPECTED) -> dict[str, Any]:
        """The operation's next message (next, error or complete)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.messages[op_id]:
            left = deadline - loop.time()
            if left <= 0 or self.close_code is not None:
                raise AssertionError(f"no message for {op_id} (closed: {self.close_code})")
            await self._receive(left)
        return self.messages[op_id].pop(0)

    async def run(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """A query or mutation over the socket: its result (data and errors)."""
        message = await self.next(await self.start(query, variables))
        assert message["type"] == "next", message
        return message["payload"]

    async def closed(self, timeout: float = 5) -> int:
        """Waits for the server to close the socket; answers the close code."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.close_code is None:
            left = deadline - loop.time()
            assert left > 0, "the socket is still open"
            await self._receive(left)
        return self.close_code

    async def close(self) -> None:
        await self.ws.close()

    async def _receive(self, timeout: float) -> dict[str, Any] | None:
        try:
            message = await self.ws.receive(timeout=timeout)
        except TimeoutError:
            return None
        if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING):
            self.close_code = message.data
            self.close_reason = message.extra
            return None
        if message.type == aiohttp.WSMsgType.CLOSED:
            self.close_code = self.close_code or self.ws.close_code
            return None
        data = message.json()
        if data.get("type") == "ping":
            await self.ws.send_json({"type": "pong"})
        elif "id" in data:
            self.messages[data["id"]].append(data)
        return data


def runtime(client: GraphQLClient):
    return client.http.app[RUNTIME]


def token_lasting(client: GraphQLClient, token: str, seconds: int) -> str:
    """An access token of the same session as `token` that expires in `seconds` (negative:
    expired already), signed with the app's secret as the server would."""
    signer = runtime(client).signer
    claims = signer.read_access_token(token)
    assert claims is not None
    return signer.access_token(
        user_id=claims.user_id, session_id=claims.session_id, ttl_seconds=seconds
    )[0]


def session_of(client: GraphQLClient, token: str) -> uuid.UUID:
    claims = runtime(client).signer.read_access_token(token)
    assert claims is not None
    return uuid.UUID(claims.session_id)


def codes(body: dict[str, Any]) -> list[str]:
    """The codes of a response's top-level errors."""
    return [e["extensions"]["code"] for e in body.get("errors") or []]
