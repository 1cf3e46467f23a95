"""Fixtures of the link pages' tests: the app on a real port that its LK_PUBLIC_URL names, so
that the links in the outbox open this very app, in headless Chromium or over plain HTTP."""

from __future__ import annotations

# node (with the npm packages of tests/js) and the system's chromium, as the GraphiQL test uses.
from tests.platform.test_js_clients import chromium, node  # noqa: F401

# The app on a real port that its public URL names (tests/served.py).
from tests.served import client, make_client  # noqa: F401
