"""The app's background tasks: started through one supervisor, stopped by it in one way.

The app factory starts the long-running ones (the outbox sender, identity housekeeping, payment
reconciliation) when LK_BACKGROUND_TASKS is on; services start short ones through the same
supervisor (the sandbox acquirer's callback deliveries). When the app stops, the supervisor
cancels every task it still holds, newest first, and waits for them all before the HTTP session,
the broker and the database close under them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

log = logging.getLogger(__name__)


class TaskSupervisor:
    def __init__(self) -> None:
        # Insertion-ordered: stopped newest first.
        self._tasks: dict[asyncio.Task[Any], None] = {}
        self._stopping = False

    def __len__(self) -> int:
        return len(self._tasks)

    def names(self) -> list[str]:
        """The names of the tasks running now, oldest first."""
        return [task.get_name() for task in self._tasks]

    def start(self, coroutine: Coroutine[Any, Any, Any], *, name: str) -> None:
        """Runs `coroutine` as a task until it ends or the app stops. Once the app is stopping,
        nothing new starts (a callback scheduled by a late request is dropped with the app)."""
        if self._stopping:
            coroutine.close()
            log.warning("%s not started: the app is stopping", name)
            return
        task = asyncio.create_task(coroutine, name=name)
        self._tasks[task] = None
        task.add_done_callback(self._forget)

    def start_periodic(
        self, job: Callable[[], Awaitable[object]], *, seconds: float, name: str
    ) -> None:
        """Runs `job` now and then every `seconds` after it ends; a failing pass is logged and
        the next one runs as usual."""
        self.start(_every(job, seconds, name), name=name)

    async def stop(self) -> None:
        """Cancels every task, newest first, and waits until all have ended. A task that
        swallows its cancellation (some libraries do) is cancelled again, so that shutdown
        never hangs on it."""
        self._stopping = True
        pending = set(self._tasks)
        while pending:
            for task in reversed(list(self._tasks)):
                if task in pending:
                    task.cancel()
            _, pending = await asyncio.wait(pending, timeout=1)

    def _forget(self, task: asyncio.Task[Any]) -> None:
        self._tasks.pop(task, None)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s failed", task.get_name(), exc_info=task.exception())


async def _every(job: Callable[[], Awaitable[object]], seconds: float, name: str) -> None:
    while True:
        try:
            await job()
        except Exception:
            log.exception("%s: pass failed", name)
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            # Cancelled during the pass, but a library swallowed the CancelledError: stop now
            # rather than sleep (the app's shutdown is waiting for this task).
            raise asyncio.CancelledError
        await asyncio.sleep(seconds)
