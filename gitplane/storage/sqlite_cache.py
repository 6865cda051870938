"""A cache of recently read objects, kept exact by the writer.

A GET that finds its object here costs a dictionary lookup instead of a SQLite read. The cache must never
serve a value older than one a client could already have seen, so:

* only reads fill it, and the writer thread removes every key it wrote right after ``COMMIT`` and before the
  write is acknowledged, then bumps a generation counter;
* a read notes the generation before it queries SQLite and offers its row only if the generation has not
  moved meanwhile, so a row read from a snapshot older than a concurrent commit is never cached.

Single dictionary operations are atomic under the GIL; only the writer thread bumps the generation. The
cache holds at most ``capacity`` records and forgets the oldest first.
"""

from __future__ import annotations

from collections.abc import Iterable

from gitplane.storage.interface import Record


class ReadCache:
    def __init__(self, capacity: int) -> None:
        self._records: dict[str, Record] = {}
        self._capacity = capacity
        self.generation = 0

    def get(self, encoded_key: str) -> Record | None:
        return self._records.get(encoded_key)

    def offer(self, encoded_key: str, record: Record, generation: int) -> None:
        """Cache a record read while the generation was ``generation`` (dropped if a commit came between)."""
        if generation != self.generation or self._capacity <= 0:
            return
        records = self._records
        if len(records) >= self._capacity:
            records.pop(next(iter(records)), None)
        records[encoded_key] = record

    def invalidate(self, encoded_keys: Iterable[str]) -> None:
        """From the writer, after a commit: forget the written keys, then move the generation on."""
        records = self._records
        for key in encoded_keys:
            records.pop(key, None)
        self.generation += 1

    def __len__(self) -> int:
        return len(self._records)
