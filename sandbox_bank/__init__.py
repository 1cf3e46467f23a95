"""The sandbox acquirer's emulator: a stand-in for the bank, served by this app under /sandbox
with LK_PAYMENT_PROVIDER=sandbox only, so the whole payment flow runs on one machine.

It keeps its own orders (`models.SandboxOrder`), serves the card page with its 3-D Secure step
and the SBP bank app (`payer`, `pages`), answers the acquirer API that
adapters/acquirers/sandbox.py calls (`orders`), and sends the signed callbacks (`callbacks`).
Nothing outside this package and that adapter knows it exists.
"""

from __future__ import annotations

from aiohttp import web

PREFIX = "/sandbox"


def setup(app: web.Application) -> None:
    """Adds the emulator's routes under /sandbox if the configured acquirer is the sandbox. Call
    it where the routes are set up (after app[RUNTIME] is set, before the app starts)."""
    # Imported here: Tortoise imports sandbox_bank.models (and so this package) with the other
    # models, long before any route exists.
    from routes.keys import RUNTIME
    from sandbox_bank.routes import add_routes

    if app[RUNTIME].settings.payment_provider != "sandbox":
        return
    add_routes(app, PREFIX)
