"""Health checks of what the server depends on."""

from __future__ import annotations

import asyncio

from tortoise import connections

from infra.runtime import Runtime


async def check(rt: Runtime) -> dict[str, str]:
    result: dict[str, str] = {}
    try:
        await asyncio.wait_for(connections.get("default").execute_query("SELECT 1"), 3)
        result["database"] = "ok"
    except Exception as error:
        result["database"] = f"fail: {type(error).__name__}"
    if rt.settings.redis_url:
        try:
            await asyncio.wait_for(rt.broker.ping(), 3)
            result["redis"] = "ok"
        except Exception as error:
            result["redis"] = f"fail: {type(error).__name__}"
    return result
