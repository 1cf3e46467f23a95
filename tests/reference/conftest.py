"""Payments need the app on a real port (the sandbox acquirer calls it back)."""

from tests.served import client, make_client

__all__ = ["client", "make_client"]
