"""The work queue every controller runs on: keys, not events.

* A key waiting in the queue is not added twice (events for the same object collapse into one reconcile).
* A key being processed is never handed to a second worker; if it is added meanwhile, it runs again after.
* Failures back off per key, exponentially with jitter and a cap; a success forgets the key's failures.
* ``add_after`` schedules a key later (requeue-after), without a task per key: one timer heap per queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import random
from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Backoff:
    """Per-key exponential backoff: ``base * 2**failures``, capped, with up to ``jitter`` of it added."""

    base: float = 0.05
    cap: float = 300.0
    jitter: float = 0.1

    def delay(self, failures: int) -> float:
        raw: float = min(self.cap, self.base * 2.0 ** min(failures, 32))
        return raw + random.uniform(0, raw * self.jitter)


class ShutDown(Exception):
    """The queue was shut down; workers stop."""


class WorkQueue(Generic[K]):
    def __init__(self, backoff: Backoff | None = None) -> None:
        self._backoff = backoff or Backoff()
        self._ready: deque[K] = deque()
        self._queued: set[K] = set()
        self._processing: set[K] = set()
        self._dirty: set[K] = set()
        self._failures: dict[K, int] = {}
        self._timers: list[tuple[float, int, K]] = []
        self._counter = itertools.count()
        self._wakeup = asyncio.Event()
        self._timer_changed = asyncio.Event()
        self._closed = False
        self._timer_task: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        return len(self._ready)

    def add(self, key: K) -> None:
        if self._closed:
            return
        if key in self._processing:
            self._dirty.add(key)
            return
        if key in self._queued:
            return
        self._queued.add(key)
        self._ready.append(key)
        self._wakeup.set()

    def add_after(self, key: K, delay: float) -> None:
        if self._closed:
            return
        if delay <= 0:
            self.add(key)
            return
        loop = asyncio.get_running_loop()
        heapq.heappush(self._timers, (loop.time() + delay, next(self._counter), key))
        self._timer_changed.set()
        if self._timer_task is None or self._timer_task.done():
            self._timer_task = loop.create_task(self._run_timers(), name="workqueue-timers")

    def add_rate_limited(self, key: K) -> None:
        failures = self._failures.get(key, 0)
        self._failures[key] = failures + 1
        self.add_after(key, self._backoff.delay(failures))

    def forget(self, key: K) -> None:
        self._failures.pop(key, None)

    def failures(self, key: K) -> int:
        return self._failures.get(key, 0)

    async def get(self) -> K:
        while not self._ready:
            if self._closed:
                raise ShutDown
            self._wakeup.clear()
            await self._wakeup.wait()
        key = self._ready.popleft()
        self._queued.discard(key)
        self._processing.add(key)
        return key

    def done(self, key: K) -> None:
        self._processing.discard(key)
        if key in self._dirty:
            self._dirty.discard(key)
            self.add(key)

    def shutdown(self) -> None:
        self._closed = True
        self._wakeup.set()
        self._timer_changed.set()
        if self._timer_task is not None:
            self._timer_task.cancel()

    async def _run_timers(self) -> None:
        loop = asyncio.get_running_loop()
        while self._timers and not self._closed:
            due, _, key = self._timers[0]
            wait = due - loop.time()
            if wait > 0:
                self._timer_changed.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._timer_changed.wait(), timeout=wait)
                continue
            heapq.heappop(self._timers)
            self.add(key)
