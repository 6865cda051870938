"""Workers: take keys from a work queue and reconcile them, under the runtime's one requeue policy.

A reconcile function receives a key (never an event) and returns ``None`` when the key is done, or the
seconds after which to look at it again. An exception puts the key back with per-key exponential backoff;
errors the controller expects (a conflict with a concurrent writer, say) are logged in one line, anything else
with its traceback. A success forgets the key's failures.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import TypeVar

from gitplane.runtime.queue import ShutDown, WorkQueue

log = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)


def _never(_exc: Exception) -> bool:
    return False


async def work(queue: WorkQueue[K], reconcile: Callable[[K], Awaitable[float | None]], *, name: str,
               again: Callable[[K, float], None] | None = None,
               expected: Callable[[Exception], bool] = _never) -> None:
    """Run one worker until the queue shuts down. ``again`` schedules a key for another look (default:
    ``queue.add_after``)."""
    schedule = again if again is not None else queue.add_after
    while True:
        try:
            key = await queue.get()
        except ShutDown:
            return
        try:
            later = await reconcile(key)
        except Exception as exc:
            if expected(exc):
                log.info("%s: %s: %s (retrying)", name, key, exc)
            else:
                log.exception("%s: reconciling %s failed (retrying)", name, key)
            queue.add_rate_limited(key)
        else:
            queue.forget(key)
            if later is not None:
                schedule(key, later)
        finally:
            queue.done(key)


async def run_controller(queue: WorkQueue[K], reconcile: Callable[[K], Awaitable[float | None]], *, name: str,
                         workers: int, sources: Sequence[Awaitable[object]],
                         expected: Callable[[Exception], bool] = _never) -> None:
    """A controller's life: ``workers`` workers on ``queue`` while its ``sources`` (the watches that fill the
    queue) run; when they end or are cancelled, the queue shuts down and the workers stop with it."""
    tasks = [asyncio.create_task(work(queue, reconcile, name=name, expected=expected), name=f"{name}-worker-{i}")
             for i in range(workers)]
    try:
        await asyncio.gather(*sources)
    finally:
        queue.shutdown()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
