"""Fixtures of the session tests: apps on real ports (the sandbox acquirer calls back over
HTTP, as in the payments tests), and the integration endpoint's client and keys."""

from tests.integration.conftest import billing_key, integration
from tests.served import client, make_client

__all__ = ["billing_key", "client", "integration", "make_client"]
