"""The in-process broker: the embedded default, one server process."""

from __future__ import annotations

from typing import Any

from adapters.broker.base import Broker


class MemoryBroker(Broker):
    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        self._fan_out(channel, message)
