"""Routes of the documents domain."""

from aiohttp import web


def setup(app: web.Application) -> None:
    pass
