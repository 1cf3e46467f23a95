"""Routes of the identity domain."""

from aiohttp import web


def setup(app: web.Application) -> None:
    pass
