"""Redis pub/sub broker: several server processes share subscriptions.

One PubSub connection per process, read by one supervised listener task that fans messages out
to the local subscribers' bounded queues. After a reconnect every local subscriber gets RESYNC,
since pub/sub does not replay what was published while the connection was down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import orjson
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from adapters.broker.base import Broker

log = logging.getLogger(__name__)
RECONNECT_DELAY = 0.5


class RedisBroker(Broker):
    def __init__(self, url: str, *, prefix: str = "lk") -> None:
        super().__init__()
        self._url = url
        self._prefix = prefix + ":events:"
        self._redis: aioredis.Redis | None = None
        self._pubsub: Any = None
        self._listener: asyncio.Task[None] | None = None
        self._channels_changed = asyncio.Event()

    async def start(self) -> None:
        self._redis = aioredis.from_url(
            self._url, health_check_interval=10, socket_connect_timeout=3, socket_timeout=None
        )
        self._listener = asyncio.create_task(self._listen(), name="redis-broker-listener")

    async def stop(self) -> None:
        if self._listener:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        if self._pubsub is not None:
            with contextlib.suppress(RedisError, OSError):
                await self._pubsub.aclose()
        if self._redis is not None:
            await self._redis.aclose()

    async def ping(self) -> None:
        assert self._redis is not None
        await self._redis.ping()

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        assert self._redis is not None
        await self._redis.publish(self._prefix + channel, orjson.dumps(message))

    async def _channel_opened(self, channel: str) -> None:
        if self._pubsub is not None:
            with contextlib.suppress(RedisError, OSError):
                await self._pubsub.subscribe(self._prefix + channel)
                return
        self._channels_changed.set()

    async def _channel_closed(self, channel: str) -> None:
        if self._pubsub is not None:
            with contextlib.suppress(RedisError, OSError):
                await self._pubsub.unsubscribe(self._prefix + channel)

    async def _listen(self) -> None:
        """Reads the one PubSub connection; reconnects and resubscribes after any failure."""
        assert self._redis is not None
        reconnecting = False
        while True:
            try:
                self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
                # A placeholder channel keeps the connection subscribed while no one listens.
                await self._pubsub.subscribe(self._prefix + "~", *self._channel_names())
                if reconnecting:
                    self._resync_all()
                    reconnecting = False
                while True:
                    message = await self._pubsub.get_message(timeout=1.0)
                    if message is None or message.get("type") != "message":
                        continue
                    channel = message["channel"].decode()[len(self._prefix) :]
                    try:
                        payload = orjson.loads(message["data"])
                    except orjson.JSONDecodeError:
                        log.warning("broker: undecodable message on %s", channel)
                        continue
                    self._fan_out(channel, payload)
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as error:
                log.warning("broker: redis connection lost (%s); reconnecting", error)
                reconnecting = True
                with contextlib.suppress(Exception):
                    await self._pubsub.aclose()
                self._pubsub = None
                await asyncio.sleep(RECONNECT_DELAY)

    def _channel_names(self) -> list[str]:
        return [self._prefix + c for c in self._subscribers]
