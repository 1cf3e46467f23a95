"""Typed keys of what the app stores."""

from aiohttp import web

from infra.runtime import Runtime

RUNTIME = web.AppKey("runtime", Runtime)
