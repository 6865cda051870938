"""Watch fan-out, shared by the backends: committed events in, one ordered stream per watcher out.

The backend calls :meth:`Fanout.publish` once per committed event, in revision order, on the event loop.
The fan-out keeps the most recent events in a ring and hands each event to the watchers whose prefix
contains its key. Watchers are indexed by ``(group, resource, identity, cluster, namespace)`` with ``None``
for the parts their prefix leaves open, so an event costs three dictionary lookups plus the watchers that
match, however many other watchers there are. There are no per-watcher tasks or threads: a watcher is a
bounded buffer and a future its consumer waits on.

Starting a watch from revision ``since``:

* if the ring still holds every event after ``since``, the matching ones are copied into the new buffer;
* otherwise the watcher is registered first (so live events collect in its buffer) and, when iteration
  starts, reads the older events from the backend's :class:`HistorySource` page by page; then it continues
  with its buffer, skipping every event it has already passed. Subscribing before reading history means no
  event falls between the two, and the revision check means none is delivered twice.

A watcher whose buffer overflows (its consumer fell too far behind) is dropped from the index: it yields what
it buffered and ends, and its client watches again from the last revision it saw. Closing a watcher, or the
fan-out, ends iteration at once.
"""

from __future__ import annotations

import asyncio
from bisect import bisect_right
from collections import deque
from typing import Protocol

from gitplane.storage.interface import Closed, Event, Prefix, Revision

_IndexKey = tuple[str, str, str, str | None, str | None]


class HistorySource(Protocol):
    """Where watchers read events older than the ring (a backend's event history)."""

    async def events_after(self, prefix: Prefix, since: Revision, *, limit: int) -> list[Event]:
        """At most ``limit`` events under ``prefix`` with revisions above ``since``, in revision order.

        Raises:
            Gone: ``since`` is below the history window.
        """
        ...


class Fanout:
    """Distributes committed events to watchers (see the module docstring).

    Args:
        history: reads events that are no longer in the ring.
        revision: the store's revision when the fan-out starts; the ring covers every event after it.
        ring_size: how many recent events to keep for resuming watches without reading history.
        queue_size: how many undelivered events a watcher may hold before it is dropped.
        history_page: how many events a resuming watcher reads from history at a time.
    """

    def __init__(self, history: HistorySource, *, revision: Revision, ring_size: int = 4096,
                 queue_size: int = 8192, history_page: int = 1000) -> None:
        self._history = history
        self._ring: list[Event] = []
        self._ring_floor = revision
        self._ring_size = ring_size
        self._queue_size = queue_size
        self._history_page = history_page
        self._index: dict[_IndexKey, set[FanoutWatch]] = {}
        self._closed = False

    @property
    def watcher_count(self) -> int:
        """How many watchers currently receive live events."""
        return sum(len(watchers) for watchers in self._index.values())

    def publish(self, event: Event) -> None:
        """Hand one committed event to the ring and to every matching watcher (in revision order)."""
        if self._closed:
            return
        self._ring.append(event)
        if len(self._ring) >= 2 * self._ring_size:
            dropped = len(self._ring) - self._ring_size
            self._ring_floor = self._ring[dropped - 1].revision
            del self._ring[:dropped]
        key = event.record.key
        overflowed: list[FanoutWatch] = []
        for index_key in ((key.group, key.resource, key.identity, None, None),
                          (key.group, key.resource, key.identity, key.cluster, None),
                          (key.group, key.resource, key.identity, key.cluster, key.namespace)):
            watchers = self._index.get(index_key)
            if watchers:
                overflowed.extend(watcher for watcher in watchers if not watcher.offer(event))
        for watcher in overflowed:
            self.unsubscribe(watcher)

    def subscribe(self, prefix: Prefix, since: Revision) -> FanoutWatch:
        """A watch of every event under ``prefix`` after ``since``; the caller has checked the window."""
        if self._closed:
            raise Closed("the store is closed")
        from_history = since < self._ring_floor
        watcher = FanoutWatch(self, prefix, since, queue_size=self._queue_size, from_history=from_history)
        self._index.setdefault(_index_key(prefix), set()).add(watcher)
        if not from_history:
            start = bisect_right(self._ring, since, key=_revision_of)
            for event in self._ring[start:]:
                if prefix.contains(event.record.key) and not watcher.offer(event):
                    self.unsubscribe(watcher)
                    break
        return watcher

    def unsubscribe(self, watcher: FanoutWatch) -> None:
        """Stop handing events to ``watcher`` (it keeps what it has buffered)."""
        index_key = _index_key(watcher.prefix)
        watchers = self._index.get(index_key)
        if watchers is not None:
            watchers.discard(watcher)
            if not watchers:
                del self._index[index_key]

    async def read_history(self, prefix: Prefix, since: Revision) -> tuple[list[Event], bool]:
        """One page of history after ``since`` (see :class:`HistorySource`), and whether more may follow."""
        events = await self._history.events_after(prefix, since, limit=self._history_page)
        return events, len(events) == self._history_page

    def close(self) -> None:
        """End every watch; later subscriptions raise :class:`Closed`."""
        self._closed = True
        index, self._index = self._index, {}
        for watchers in index.values():
            for watcher in watchers:
                watcher.end()
        self._ring.clear()


class FanoutWatch:
    """One watcher: an async iterator of events in revision order (the :class:`Watch` protocol)."""

    def __init__(self, fanout: Fanout, prefix: Prefix, since: Revision, *, queue_size: int,
                 from_history: bool) -> None:
        self.prefix = prefix
        self._fanout = fanout
        self._last = since
        self._queue_size = queue_size
        self._buffer: deque[Event] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._from_history = from_history
        self._history: list[Event] = []
        self._history_position = 0
        self._history_continues = from_history
        self._overflowed = False
        self._ended = False

    def offer(self, event: Event) -> bool:
        """Buffer ``event``; False when the buffer is full (the watcher then stops receiving)."""
        if len(self._buffer) >= self._queue_size:
            self._overflowed = True
            self._wake()
            return False
        self._buffer.append(event)
        self._wake()
        return True

    def close(self) -> None:
        """End the watch now (called by the consumer)."""
        if not self._ended:
            self._fanout.unsubscribe(self)
            self.end()

    def end(self) -> None:
        """Mark the watch ended and wake its consumer (the fan-out has already dropped it)."""
        self._ended = True
        self._buffer.clear()
        self._history = []
        self._wake()

    def __aiter__(self) -> FanoutWatch:
        return self

    async def __anext__(self) -> Event:
        if self._from_history:
            event = await self._next_from_history()
            if event is not None:
                return event
        while not self._ended:
            while self._buffer:
                event = self._buffer.popleft()
                if event.revision > self._last:
                    self._last = event.revision
                    return event
            if self._overflowed:
                break
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        self.close()
        raise StopAsyncIteration

    async def batch(self, wait_seconds: float) -> list[Event] | None:
        """Every event available now, in order, waiting up to ``wait_seconds`` for the first: ``[]`` when
        none came in time, None once the watch has ended. (One wait per batch, however many events it holds:
        what a stream to a client sends as one write.)"""
        if self._from_history:
            event = await self._next_from_history()
            if event is not None:
                rest = self._history[self._history_position:]
                self._history_position = len(self._history)
                if rest:
                    self._last = rest[-1].revision
                return [event, *rest]
        if not self._buffer and not self._ended and not self._overflowed:
            loop = asyncio.get_running_loop()
            self._waiter = waiter = loop.create_future()
            timer = loop.call_later(wait_seconds, _settle, waiter)
            try:
                await waiter
            finally:
                timer.cancel()
                self._waiter = None
        events: list[Event] = []
        while self._buffer:
            event = self._buffer.popleft()
            if event.revision > self._last:
                self._last = event.revision
                events.append(event)
        if events:
            return events
        if self._ended or self._overflowed:
            self.close()
            return None
        return events

    async def _next_from_history(self) -> Event | None:
        """The next event read from history, or None once history has caught up with the buffer."""
        while not self._ended:
            if self._history_position < len(self._history):
                event = self._history[self._history_position]
                self._history_position += 1
                self._last = event.revision
                return event
            if not self._history_continues:
                break
            try:
                page, self._history_continues = await self._fanout.read_history(self.prefix, self._last)
            except Closed:
                self.close()
                break
            except Exception:
                self.close()
                raise
            self._history, self._history_position = page, 0
        self._from_history = False
        self._history = []
        return None

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)


def _settle(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


def _index_key(prefix: Prefix) -> _IndexKey:
    return (prefix.group, prefix.resource, prefix.identity, prefix.cluster, prefix.namespace)


def _revision_of(event: Event) -> Revision:
    return event.revision
