"""Paying without signing in: the app listens on a real port that its public URL names, so that
the sandbox acquirer calls the callback URL over HTTP as a real acquirer would."""

from __future__ import annotations

# node (with the npm packages of tests/js) and the system's chromium, as the GraphiQL test uses.
from tests.platform.test_js_clients import chromium, node  # noqa: F401

# The app on a real port that its public URL names (tests/served.py).
from tests.served import client, make_client  # noqa: F401
