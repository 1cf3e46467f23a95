"""The broker interface. Subscriber queues are bounded: a subscriber that falls behind, or
that may have missed messages while the broker reconnected, receives RESYNC and is expected to
read the current state from the database again (pub/sub does not replay)."""

from __future__ import annotations

import abc
import asyncio
import collections
from collections.abc import Callable, Sequence
from typing import Any

RESYNC: dict[str, Any] = {"type": "resync"}
QUEUE_SIZE = 64


class Subscription:
    """One subscriber's bounded queue on one channel.

    Thousands wait at once, each for a message that seldom comes, so there is no asyncio.Queue
    (two deques of waiters, a lock-like event: ~3 KB each) and no generator frame while waiting:
    a deque made at the first message that finds nobody waiting, and one future while the
    subscriber waits."""

    __slots__ = ("_pending", "_waiter", "broker", "channel", "maxsize")

    def __init__(self, broker: Broker, channel: str, maxsize: int = QUEUE_SIZE) -> None:
        self.broker = broker
        self.channel = channel
        self.maxsize = maxsize
        self._pending: collections.deque[dict[str, Any]] | None = None
        self._waiter: asyncio.Future[dict[str, Any]] | None = None

    def deliver(self, message: dict[str, Any]) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            self._waiter = None
            waiter.set_result(message)
            return
        pending = self._pending
        if pending is None:
            pending = self._pending = collections.deque()
        if len(pending) >= self.maxsize:
            # Too far behind: drop what is queued and ask the subscriber to re-read the state.
            pending.clear()
            message = RESYNC
        pending.append(message)

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> dict[str, Any]:
        if self._pending:
            return self._pending.popleft()
        waiter: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiter = waiter
        try:
            return await waiter
        finally:
            if self._waiter is waiter:
                self._waiter = None

    async def close(self) -> None:
        await self.broker.unsubscribe(self)


class Listener(Subscription):
    """A subscriber called with each message as it arrives (RESYNC included), with no queue and
    no task of its own: for watchers that only judge a message (a websocket's SessionWatch).
    The callback must not block; it may schedule work."""

    __slots__ = ("on_message",)

    def __init__(
        self, broker: Broker, channel: str, on_message: Callable[[dict[str, Any]], None]
    ) -> None:
        self.broker = broker
        self.channel = channel
        self.on_message = on_message

    def deliver(self, message: dict[str, Any]) -> None:
        self.on_message(message)


class Broker(abc.ABC):
    def __init__(self) -> None:
        self._subscribers: dict[str, set[Subscription]] = {}

    @property
    def subscriber_count(self) -> int:
        return sum(len(s) for s in self._subscribers.values())

    async def start(self) -> None:  # noqa: B027 - optional hook
        """Connect; called once when the app starts."""

    async def stop(self) -> None:  # noqa: B027 - optional hook
        """Disconnect; called once when the app stops."""

    async def ping(self) -> None:  # noqa: B027 - in-process: always answers
        """Raises when the broker cannot be reached."""

    @abc.abstractmethod
    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        """Send to every subscriber of the channel, in every process sharing the broker."""

    async def publish_many(self, channels: Sequence[str], message: dict[str, Any]) -> None:
        """The same message on several channels (one round trip where the broker allows)."""
        for channel in channels:
            await self.publish(channel, message)

    async def subscribe(self, channel: str) -> Subscription:
        return await self._add(Subscription(self, channel))

    async def listen(
        self, channel: str, on_message: Callable[[dict[str, Any]], None]
    ) -> Subscription:
        """Calls `on_message` with each message of the channel (see Listener)."""
        return await self._add(Listener(self, channel, on_message))

    async def _add(self, sub: Subscription) -> Subscription:
        channel = sub.channel
        first = channel not in self._subscribers
        self._subscribers.setdefault(channel, set()).add(sub)
        if first:
            await self._channel_opened(channel)
        return sub

    async def unsubscribe(self, sub: Subscription) -> None:
        subs = self._subscribers.get(sub.channel)
        if not subs:
            return
        subs.discard(sub)
        if not subs:
            del self._subscribers[sub.channel]
            await self._channel_closed(sub.channel)

    def _fan_out(self, channel: str, message: dict[str, Any]) -> None:
        for sub in list(self._subscribers.get(channel, ())):
            sub.deliver(message)

    def _resync_all(self) -> None:
        for subs in self._subscribers.values():
            for sub in subs:
                sub.deliver(RESYNC)

    async def _channel_opened(self, channel: str) -> None:  # noqa: B027
        pass

    async def _channel_closed(self, channel: str) -> None:  # noqa: B027
        pass
