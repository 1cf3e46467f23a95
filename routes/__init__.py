"""HTTP routes beside the GraphQL endpoints: health, callbacks, documents, the sandbox acquirer,
developers' pages. Each domain module has `setup(app)`, which adds its routes (nothing else: the
app factory in server.py wires the runtime and the background tasks); handlers are thin: HTTP in,
a service call, HTTP out."""

from aiohttp import web

from routes import documents, graphiql, health, integration, messages, metrics, payments
from routes.keys import RUNTIME
from routes.pages import setup as setup_link_pages

__all__ = ["RUNTIME", "setup_routes"]


def setup_routes(app: web.Application) -> None:
    for module in (health, metrics, graphiql, messages, payments, documents, integration):
        module.setup(app)
    setup_link_pages(app)
