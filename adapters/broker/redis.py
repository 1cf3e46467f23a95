"""Redis pub/sub broker: several server processes share subscriptions.

One PubSub connection per process, read by one supervised listener task that fans messages out
to the local subscribers' bounded queues. Whenever messages may have been lost (the listener
reconnected, or redis-py reconnected the PubSub connection by itself and resubscribed), every
local subscriber gets RESYNC, since pub/sub does not replay what was published meanwhile.

Publishing and pings use a separate client with a socket timeout, so a hung Redis delays a
request by at most a few seconds (callers treat a failed publish as lost: see RESYNC); the
listener's connection has no read timeout and relies on health checks instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

import orjson
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from adapters.broker.base import Broker, Subscription

log = logging.getLogger(__name__)
RECONNECT_DELAY = 0.5
MAX_RECONNECT_DELAY = 10.0
# How long subscribe() waits for Redis to confirm the SUBSCRIBE before going on regardless
# (the subscriber then catches up through RESYNC once the listener is back).
SUBSCRIBE_TIMEOUT = 2.0
COMMAND_TIMEOUT = 3.0


class RedisBroker(Broker):
    def __init__(self, url: str, *, prefix: str = "lk") -> None:
        super().__init__()
        self._url = url
        self._prefix = prefix + ":events:"
        self._redis: aioredis.Redis | None = None
        self._listen_redis: aioredis.Redis | None = None
        self._pubsub: Any = None
        self._listener: asyncio.Task[None] | None = None
        # Serialises (un)subscribe commands and the listener's (re)connection on the one PubSub.
        self._lock = asyncio.Lock()
        self._confirmations: dict[str, list[asyncio.Future[None]]] = {}

    async def start(self) -> None:
        self._redis = aioredis.from_url(
            self._url, socket_connect_timeout=COMMAND_TIMEOUT, socket_timeout=COMMAND_TIMEOUT
        )
        self._listen_redis = aioredis.from_url(
            self._url, health_check_interval=10, socket_connect_timeout=3, socket_timeout=None
        )
        self._listener = asyncio.create_task(self._supervise(), name="redis-broker-listener")

    async def stop(self) -> None:
        if self._listener:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        await self._close_pubsub()
        for client in (self._redis, self._listen_redis):
            if client is not None:
                with contextlib.suppress(RedisError, OSError):
                    await client.aclose()

    async def ping(self) -> None:
        assert self._redis is not None
        await self._redis.ping()

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        assert self._redis is not None
        await self._redis.publish(self._prefix + channel, orjson.dumps(message))

    async def publish_many(self, channels: Sequence[str], message: dict[str, Any]) -> None:
        assert self._redis is not None
        data = orjson.dumps(message)
        async with self._redis.pipeline(transaction=False) as pipe:
            for channel in channels:
                pipe.publish(self._prefix + channel, data)
            await pipe.execute()

    async def _add(self, sub: Subscription) -> Subscription:
        await super()._add(sub)
        # Another subscriber opened the channel a moment ago: wait for Redis's confirmation too.
        pending = list(self._confirmations.get(self._prefix + sub.channel, []))
        if pending:
            await asyncio.wait([asyncio.shield(f) for f in pending], timeout=SUBSCRIBE_TIMEOUT)
        return sub

    async def _channel_opened(self, channel: str) -> None:
        name = self._prefix + channel
        confirmed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._confirmations.setdefault(name, []).append(confirmed)
        try:
            async with self._lock:
                if self._pubsub is not None:
                    with contextlib.suppress(RedisError, OSError):
                        await self._pubsub.subscribe(name)
            # Wait until Redis has the subscription: a message published right after
            # subscribe() returns must reach this subscriber.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(confirmed), SUBSCRIBE_TIMEOUT)
        finally:
            waiting = self._confirmations.get(name, [])
            if confirmed in waiting:
                waiting.remove(confirmed)
            if not waiting:
                self._confirmations.pop(name, None)

    async def _channel_closed(self, channel: str) -> None:
        async with self._lock:
            if self._pubsub is not None and channel not in self._subscribers:
                with contextlib.suppress(RedisError, OSError):
                    await self._pubsub.unsubscribe(self._prefix + channel)

    async def _supervise(self) -> None:
        """Keeps one listener alive: any failure (Redis down, a bug) means reconnect, with
        backoff, then RESYNC for everyone."""
        delay = RECONNECT_DELAY
        first = True
        while True:
            try:
                await self._connect(resync=not first)
                first = False
                delay = RECONNECT_DELAY
                await self._read()
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as error:
                log.warning("broker: redis connection lost (%s); reconnecting", error)
            except Exception:
                log.exception("broker: listener failed; restarting")
            first = False
            await self._close_pubsub()
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RECONNECT_DELAY)

    async def _connect(self, *, resync: bool) -> None:
        assert self._listen_redis is not None
        async with self._lock:
            pubsub = self._listen_redis.pubsub()
            # A placeholder channel keeps the connection subscribed while no one listens.
            await pubsub.subscribe(self._prefix + "~", *self._channel_names())
            # redis-py reconnects a broken PubSub connection by itself (and resubscribes); what
            # was published in between is lost, so that is a resync too.
            connection = pubsub.connection
            assert connection is not None  # subscribe() has connected it
            connection.register_connect_callback(self._reconnected)
            self._pubsub = pubsub
        if resync:
            self._resync_all()

    def _reconnected(self, connection: Any) -> None:
        log.warning("broker: redis PubSub reconnected; asking subscribers to resync")
        self._resync_all()

    async def _read(self) -> None:
        while True:
            message = await self._pubsub.get_message(timeout=1.0)
            if message is None:
                continue
            kind = message.get("type")
            channel = _text(message.get("channel"))
            if kind == "subscribe":
                for waiter in self._confirmations.get(channel, []):
                    if not waiter.done():
                        waiter.set_result(None)
                continue
            if kind != "message" or not channel.startswith(self._prefix):
                continue
            local = channel[len(self._prefix) :]
            try:
                payload = orjson.loads(message["data"])
            except orjson.JSONDecodeError:
                log.warning("broker: undecodable message on %s", local)
                continue
            if isinstance(payload, dict):
                self._fan_out(local, payload)

    async def _close_pubsub(self) -> None:
        pubsub, self._pubsub = self._pubsub, None
        if pubsub is not None:
            with contextlib.suppress(Exception):
                await pubsub.aclose()

    def _channel_names(self) -> list[str]:
        return [self._prefix + c for c in self._subscribers]


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return value or ""
