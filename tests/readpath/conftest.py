"""Read-path tests: the app on a real port (tests/served.py), as the payments tests create a
cabinet payment through the sandbox acquirer."""

from __future__ import annotations

from tests.served import client, make_client  # noqa: F401
