"""The event broker: publish a message on a channel; subscribers get it, in this process or in
any process sharing the same Redis."""

from adapters.broker.base import RESYNC, Broker, Subscription
from adapters.broker.memory import MemoryBroker

__all__ = ["RESYNC", "Broker", "MemoryBroker", "Subscription", "create_broker"]


def create_broker(redis_url: str, *, prefix: str = "lk") -> Broker:
    if not redis_url:
        return MemoryBroker()
    from adapters.broker.redis import RedisBroker

    return RedisBroker(redis_url, prefix=prefix)
