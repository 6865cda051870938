"""A cache of recently read and written objects, kept exact by the writer.

A GET that finds its object here costs a dictionary lookup instead of a SQLite read. The cache must never
serve a value older than one a client could already have seen, so:

* the writer thread, right after ``COMMIT`` and before the write is acknowledged, puts every object it wrote in
  the cache as committed (a deleted one leaves it), then bumps a generation counter: what was just written is
  what controllers and clients read next, and it never costs a query;
* a read notes the generation before it queries SQLite and offers its row only if the generation has not
  moved meanwhile, so a row read from a snapshot older than a concurrent commit is never cached.

Single dictionary operations are atomic under the GIL; only the writer thread bumps the generation. The
cache holds at most ``capacity`` records and forgets the oldest first.
"""

from __future__ import annotations

from collections.abc import Iterable

from gitplane.storage.interface import Event, EventType, Record


class ReadCache:
    def __init__(self, capacity: int) -> None:
        self._records: dict[str, Record] = {}
        self._capacity = capacity
        self.generation = 0

    def get(self, encoded_key: str) -> Record | None:
        return self._records.get(encoded_key)

    def offer(self, encoded_key: str, record: Record, generation: int) -> None:
        """Cache a record read while the generation was ``generation`` (dropped if a commit came between)."""
        if generation != self.generation:
            return
        self._put(encoded_key, record)

    def _put(self, encoded_key: str, record: Record) -> None:
        if self._capacity <= 0:
            return
        records = self._records
        records.pop(encoded_key, None)  # to the newest end
        if len(records) >= self._capacity:
            records.pop(next(iter(records)), None)
        records[encoded_key] = record

    def committed(self, events: Iterable[tuple[str, Event]]) -> None:
        """From the writer, after a commit (events by encoded key, in revision order): keep what was written,
        forget what was deleted, then move the generation on."""
        for encoded_key, event in events:
            if event.type is EventType.DELETED:
                self._records.pop(encoded_key, None)
            else:
                self._put(encoded_key, event.record)
        self.generation += 1

    def __len__(self) -> int:
        return len(self._records)
