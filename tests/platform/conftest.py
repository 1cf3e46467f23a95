"""Fixtures of the platform tests: apps with production settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from server import create_app
from settings import Settings
from tests.graphql import GraphQLClient

# What production insists on (see Settings._defaults_and_safety), none of it used by these tests.
PRODUCTION = {
    "env": "production",
    "captcha": "enabled",
    "argon2_profile": "standard",
    "payment_provider": "tbank",
    "tbank_terminal_key": "TestTerminal",
    "tbank_password": "test-terminal-password",
    # The demo users would be hashed with the standard (slow) argon2 profile.
    "demo_data": False,
    "public_url": "https://lk.test",
    "metrics_token": "test-metrics-token",
}


@pytest.fixture
def make_client(
    clean_database: None, make_settings: Callable[..., Settings], aiohttp_client: Any
) -> Callable[..., Any]:
    """A GraphQLClient of an app built with settings overrides."""

    async def make(**overrides: Any) -> GraphQLClient:
        return GraphQLClient(await aiohttp_client(create_app(make_settings(**overrides))))

    return make


@pytest.fixture
async def production(make_client: Callable[..., Any]) -> GraphQLClient:
    return await make_client(**PRODUCTION)
