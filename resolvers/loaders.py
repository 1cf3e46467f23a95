"""Request-scoped DataLoaders. Each domain declares its loaders as subclasses of Loader named
<Thing>By<Key>Loader with a `load_batch` function from its service; Context.loader(cls) creates
one per request. Batch functions return results in key order."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from strawberry.dataloader import DataLoader

K = TypeVar("K")
V = TypeVar("V")


class Loader(DataLoader[K, V], Generic[K, V]):
    load_batch: ClassVar[Callable[[Sequence[Any]], Awaitable[list[Any]]]]

    def __init__(self) -> None:
        batch = type(self).load_batch
        super().__init__(load_fn=lambda keys: batch(list(keys)))

    def load(self, key: K) -> Awaitable[V]:
        # Shielded: the future of a key is shared by every field that loads it, and graphql-core
        # cancels the sibling fields of a field whose error nulls their parent. Unshielded, that
        # cancelled the shared future under the other fields too, and the request ended in a
        # CancelledError (a 500 and a dropped connection; tests/readpath found it).
        return asyncio.shield(super().load(key))

    def load_many(self, keys: Iterable[K]) -> Awaitable[list[V]]:
        # One shield over the gather (a cancelled caller cancels the gather's children: the shared
        # futures of the keys), not one per key.
        return asyncio.shield(asyncio.gather(*[DataLoader.load(self, key) for key in keys]))
