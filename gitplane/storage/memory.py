"""MemoryStore: the reference :class:`~gitplane.storage.interface.Store`, kept in process memory.

It serves the server's unit tests and defines by example what the conformance suite expects of every
backend. Every operation runs to completion on the event loop without awaiting, so each one is atomic.

State: a dict of current records by encoded key beside a sorted list of those keys (a list is one ``bisect``
range), and the history of events in revision order. History older than ``history_seconds`` (by the injected
clock) is dropped as writes arrive; :meth:`MemoryStore.compact` drops it explicitly. Lists at an older
revision overlay the history after that revision on the current records (:mod:`gitplane.storage.paging`);
watches come from the shared :class:`~gitplane.storage.fanout.Fanout`, which reads this history when its
ring does not reach back far enough.
"""

from __future__ import annotations

import builtins
import time
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable

from gitplane.storage.fanout import Fanout, FanoutWatch
from gitplane.storage.interface import (
    AlreadyExists,
    Closed,
    Conflict,
    Event,
    EventType,
    FutureRevision,
    Gone,
    Key,
    NotFound,
    Page,
    Prefix,
    Record,
    Revision,
)
from gitplane.storage.paging import Override, assemble_page, key_range, rows_needed
from gitplane.storage.stamp import stamp


class MemoryStore:
    """An in-memory store (see the module docstring).

    Args:
        history_seconds: how long events stay in the history (None: until compacted explicitly).
        clock: seconds, for the history window.
        ring_size: the fan-out's ring of recent events.
        watch_queue_size: how many events a watcher may fall behind before it is dropped.
    """

    def __init__(self, *, history_seconds: float | None = 300.0, clock: Callable[[], float] = time.monotonic,
                 ring_size: int = 1024, watch_queue_size: int = 8192) -> None:
        self._objects: dict[str, Record] = {}
        self._keys: list[str] = []
        self._history: list[Event] = []
        self._history_times: list[float] = []
        self._history_seconds = history_seconds
        self._clock = clock
        self._revision: Revision = 0
        self._compacted: Revision = 0
        self._closed = False
        self._fanout = Fanout(self, revision=0, ring_size=ring_size, queue_size=watch_queue_size)

    async def get(self, key: Key) -> Record:
        self._check_open()
        record = self._objects.get(key.encode())
        if record is None:
            raise NotFound(key)
        return record

    async def list(self, prefix: Prefix, *, limit: int = 0, start_after: str | None = None,
                   revision: Revision | None = None) -> Page:
        self._check_open()
        at = self._revision if revision is None else revision
        self._check_readable(at)
        low, high = key_range(prefix, start_after)
        overrides = self._overrides(low, high, at) if at < self._revision else {}
        first = bisect_right(self._keys, low)
        end = bisect_left(self._keys, high, lo=first)
        wanted = rows_needed(limit, overrides)
        stop = end if wanted < 0 else min(end, first + wanted)
        current = [self._objects[key] for key in self._keys[first:stop]]

        def count_after(key: str) -> int:
            return end - bisect_right(self._keys, key, lo=first, hi=end)

        return assemble_page(current, overrides, limit=limit, revision=at, count_after=count_after)

    async def create(self, key: Key, value: bytes) -> Record:
        self._check_open()
        encoded = key.encode()
        if encoded in self._objects:
            raise AlreadyExists(key)
        revision = self._revision + 1
        record = Record(key, stamp(value, revision), revision)
        self._objects[encoded] = record
        insort(self._keys, encoded)
        self._commit(Event(EventType.ADDED, record, None))
        return record

    async def update(self, key: Key, value: bytes, *, expect: Revision) -> Record:
        self._check_open()
        encoded = key.encode()
        previous = self._current(key, encoded, expect)
        revision = self._revision + 1
        record = Record(key, stamp(value, revision), revision)
        self._objects[encoded] = record
        self._commit(Event(EventType.MODIFIED, record, previous))
        return record

    async def delete(self, key: Key, *, expect: Revision | None = None) -> Record:
        self._check_open()
        encoded = key.encode()
        previous = self._current(key, encoded, expect)
        revision = self._revision + 1
        record = Record(key, stamp(previous.value, revision), revision)
        del self._objects[encoded]
        del self._keys[bisect_left(self._keys, encoded)]
        self._commit(Event(EventType.DELETED, record, previous))
        return record

    def watch(self, prefix: Prefix, *, since: Revision) -> FanoutWatch:
        self._check_open()
        self._check_readable(since)
        return self._fanout.subscribe(prefix, since)

    def current_revision(self) -> Revision:
        return self._revision

    def oldest_revision(self) -> Revision:
        return self._compacted

    async def compact(self, revision: Revision) -> None:
        self._check_open()
        if revision > self._revision:
            raise FutureRevision(revision, self._revision)
        self._drop_history(bisect_right(self._history, revision, key=_revision_of))
        self._compacted = max(self._compacted, revision)

    async def close(self) -> None:
        self._closed = True
        self._fanout.close()

    async def events_after(self, prefix: Prefix, since: Revision, *, limit: int) -> builtins.list[Event]:
        """History for the fan-out: up to ``limit`` events under ``prefix`` after ``since``.

        Raises:
            Gone: ``since`` has been compacted.
        """
        if since < self._compacted:
            raise Gone(since, self._compacted)
        events: builtins.list[Event] = []
        start = bisect_right(self._history, since, key=_revision_of)
        for event in self._history[start:]:
            if prefix.contains(event.record.key):
                events.append(event)
                if len(events) == limit:
                    break
        return events

    def _current(self, key: Key, encoded: str, expect: Revision | None) -> Record:
        record = self._objects.get(encoded)
        if record is None:
            raise NotFound(key)
        if expect is not None and record.revision != expect:
            raise Conflict(key, expect, record)
        return record

    def _commit(self, event: Event) -> None:
        self._revision = event.revision
        now = self._clock()
        self._history.append(event)
        self._history_times.append(now)
        if self._history_seconds is not None and self._history_times[0] < now - self._history_seconds:
            expired = bisect_left(self._history_times, now - self._history_seconds)
            self._compacted = self._history[expired - 1].revision
            self._drop_history(expired)
        self._fanout.publish(event)

    def _drop_history(self, count: int) -> None:
        del self._history[:count]
        del self._history_times[:count]

    def _overrides(self, low: str, high: str, revision: Revision) -> dict[str, Override]:
        overrides: dict[str, Override] = {}
        for event in self._history[bisect_right(self._history, revision, key=_revision_of):]:
            encoded = event.record.key.encode()
            if low < encoded < high:
                earlier = overrides.get(encoded)
                then = event.previous if earlier is None else earlier.then
                overrides[encoded] = Override(then, event.type is not EventType.DELETED)
        return overrides

    def _check_readable(self, revision: Revision) -> None:
        if revision > self._revision:
            raise FutureRevision(revision, self._revision)
        if revision < self._compacted:
            raise Gone(revision, self._compacted)

    def _check_open(self) -> None:
        if self._closed:
            raise Closed("the store is closed")


def _revision_of(event: Event) -> Revision:
    return event.revision
