"""Fixtures of tests whose app must listen on a real port that its LK_PUBLIC_URL names: the
sandbox acquirer calls the callback URL over HTTP as a real acquirer would, and the links in the
outbox open this very app (in headless Chromium or over plain HTTP). A conftest imports them."""

from __future__ import annotations

import socket
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from server import create_app
from tests.graphql import GraphQLClient


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def make_client(
    clean_database: None, make_settings, aiohttp_client
) -> Callable[..., Awaitable[GraphQLClient]]:
    """Starts an app with settings overrides; `public_url` defaults to its own address."""

    async def make(**overrides: Any) -> GraphQLClient:
        port = free_port()
        overrides.setdefault("public_url", f"http://127.0.0.1:{port}")
        app = create_app(make_settings(**overrides))
        return GraphQLClient(await aiohttp_client(app, server_kwargs={"port": port}))

    return make


@pytest.fixture
async def client(make_client) -> GraphQLClient:
    return await make_client()
