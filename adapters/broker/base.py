"""The broker interface. Subscriber queues are bounded: a subscriber that falls behind, or
that may have missed messages while the broker reconnected, receives RESYNC and is expected to
read the current state from the database again (pub/sub does not replay)."""

from __future__ import annotations

import abc
import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

RESYNC: dict[str, Any] = {"type": "resync"}
QUEUE_SIZE = 64


class Subscription:
    """One subscriber's bounded queue on one channel."""

    __slots__ = ("broker", "channel", "queue")

    def __init__(self, broker: Broker, channel: str, maxsize: int = QUEUE_SIZE) -> None:
        self.broker = broker
        self.channel = channel
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize)

    def deliver(self, message: dict[str, Any]) -> None:
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            # Too far behind: drop what is queued and ask the subscriber to re-read the state.
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(RESYNC)

    async def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        while True:
            yield await self.queue.get()

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
