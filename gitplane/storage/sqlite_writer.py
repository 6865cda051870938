"""The SQLite store's single writer thread, which group-commits.

Data flow: the event loop puts write operations (each carrying the future its caller awaits) on a queue. The
writer takes everything waiting (up to ``max_batch``) and applies it in one ``BEGIN IMMEDIATE … COMMIT``:
each update or deletion reads the current row and checks its precondition (a create just inserts: the key's
unique index refuses an existing object), and on success takes the next revision and stamps it into the
value, beside the value's checksum. A failed precondition fails only that operation, which
then uses no revision; the history rows of the batch are inserted together, the meta row is updated once. The
current row an operation reads is verified against its checksum first, so a damaged value is never carried
into a new row (the write fails with ``Corrupted`` instead). While one transaction syncs to
disk the next operations queue up, so the number of syncs follows the disk, not the number of writers.

The revision record (:mod:`gitplane.storage.sqlite_sidecar`) brackets each transaction: before ``BEGIN``
the writer makes sure every revision the batch could take is below the synced reserved mark, and after
``COMMIT`` it records the new revision as acknowledged. Only then does it hand a :class:`Committed` to
``hand_back`` (the store passes it to the event loop, which publishes the events and resolves the futures).
The writer never touches a future itself.

When the checkpoint thread asks for it, the writer runs one PASSIVE checkpoint between two transactions, so
that its next transaction can start the WAL over (see :mod:`gitplane.storage.sqlite_checkpoint`).

Compaction requests wait in the writer too: each transaction deletes at most ``compaction_chunk`` history
rows, so a large compaction is spread over many short transactions between the writes instead of holding the
write lock for long.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from gitplane.storage.interface import (
    AlreadyExists,
    Conflict,
    Event,
    EventType,
    Key,
    NotFound,
    Record,
    Revision,
    StorageError,
)
from gitplane.storage.sqlite_checksum import checksum, verify
from gitplane.storage.sqlite_schema import EVENT_CODES, SQLiteStats
from gitplane.storage.sqlite_sidecar import RevisionFile
from gitplane.storage.stamp import stamp

logger = logging.getLogger(__name__)

_SELECT_CURRENT = "SELECT revision, value, checksum FROM objects WHERE key = ?"
_INSERT_OBJECT = "INSERT INTO objects (key, revision, value, checksum) VALUES (?, ?, ?, ?)"
_UPDATE_OBJECT = "UPDATE objects SET revision = ?, value = ?, checksum = ? WHERE key = ?"
_DELETE_OBJECT = "DELETE FROM objects WHERE key = ?"
_INSERT_EVENT = ("INSERT INTO events (revision, key, type, value, previous_revision, previous, time, checksum, "
                 "previous_checksum) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
_EventRow = tuple[int, str, int, bytes, int | None, bytes | None, float, int, int | None]
_DELETE_EVENTS = "DELETE FROM events WHERE revision <= ?"
_UPDATE_META = "UPDATE meta SET revision = ?, compacted = ? WHERE id = 0"


class OpKind(enum.Enum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class WriteOp:
    """One write. ``value`` is unused by deletions; ``expect`` is the revision the object must have."""

    kind: OpKind
    key: Key
    value: bytes
    expect: Revision | None
    future: asyncio.Future[Record]


@dataclass(frozen=True, slots=True)
class CompactOp:
    """Forget history up to and including ``revision``."""

    revision: Revision
    future: asyncio.Future[None]


@dataclass(frozen=True, slots=True)
class Committed:
    """What one transaction did: each write's event or error (in revision order), the compactions it finished
    (with the error that failed them, if any), and the revisions after it."""

    writes: Sequence[tuple[WriteOp, Event | Exception]]
    compactions: Sequence[tuple[CompactOp, Exception | None]]
    revision: Revision
    compacted: Revision


class Writer:
    """Owns the write connection and the thread that group-commits (see the module docstring)."""

    def __init__(self, conn: sqlite3.Connection, *, revision: Revision, compacted: Revision,
                 last_time: float, clock: Callable[[], float], stats: SQLiteStats, revisions: RevisionFile,
                 hand_back: Callable[[Committed], None],
                 committed_objects: Callable[[list[tuple[str, Event]]], None],
                 max_batch: int = 1000,
                 compaction_chunk: int = 2000) -> None:
        self._conn = conn
        self._revisions = revisions
        self._revision = revision
        self._visible = revision
        self._compacted = compacted
        self._last_time = last_time
        self._clock = clock
        self._stats = stats
        self._hand_back = hand_back
        self._committed_objects = committed_objects
        self._catch_up = False
        self._max_batch = max_batch
        self._compaction_chunk = compaction_chunk
        self._queue: queue.SimpleQueue[WriteOp | CompactOp | None] = queue.SimpleQueue()
        self._compactions: list[CompactOp] = []
        self._thread = threading.Thread(target=self._run, name="gitplane-sqlite-writer", daemon=True)

    @property
    def revision(self) -> Revision:
        """The revision of the last committed write (it may not have reached the event loop yet)."""
        return self._revision

    @property
    def visible_revision(self) -> Revision:
        """The highest revision a reader may already see: the transaction being committed becomes visible to
        the read connections at ``COMMIT``, before :attr:`revision` catches up with it."""
        return self._visible

    def start(self) -> None:
        self._thread.start()

    def submit(self, op: WriteOp | CompactOp) -> None:
        self._queue.put(op)

    def request_catch_up(self) -> None:
        """Ask for one WAL checkpoint between two transactions (see :mod:`~.sqlite_checkpoint`)."""
        self._catch_up = True

    def stop(self) -> None:
        """Finish what was submitted before, then end the thread and close the connection."""
        self._queue.put(None)

    def join(self) -> None:
        self._thread.join()

    def _run(self) -> None:
        try:
            stopping = False
            while not stopping:
                batch, stopping = self._take(block=not self._compactions)
                if batch or self._compactions:
                    self._commit(batch)
                if self._catch_up:
                    self._catch_up = False
                    self._checkpoint()
            while self._compactions:
                self._commit([])
        finally:
            self._conn.close()

    def _take(self, *, block: bool) -> tuple[list[WriteOp | CompactOp], bool]:
        """Everything waiting (waiting for the first op if ``block``), and whether a stop was among it."""
        batch: list[WriteOp | CompactOp] = []
        try:
            op = self._queue.get() if block else self._queue.get_nowait()
            while op is not None:
                batch.append(op)
                if len(batch) == self._max_batch:
                    return batch, False
                op = self._queue.get_nowait()
        except queue.Empty:
            return batch, False
        return batch, True

    def _commit(self, batch: list[WriteOp | CompactOp]) -> None:
        now = self._last_time = max(self._clock(), self._last_time)
        revision, compacted = self._revision, self._compacted
        writes: list[tuple[WriteOp, Event | Exception]] = []
        rows: list[_EventRow] = []
        objects: list[tuple[str, Event]] = []
        self._compactions.extend(op for op in batch if isinstance(op, CompactOp))
        conn = self._conn
        try:
            started = time.perf_counter()
            if self._revisions.reserve(revision + sum(isinstance(op, WriteOp) for op in batch)):
                self._stats.reservations += 1
            conn.execute("BEGIN IMMEDIATE")
            for op in batch:
                if isinstance(op, WriteOp):
                    try:
                        event, value_checksum, previous_checksum = self._apply(op, revision + 1)
                    except (StorageError, ValueError) as exc:
                        writes.append((op, exc))
                        continue
                    revision += 1
                    writes.append((op, event))
                    previous = event.previous
                    encoded = op.key.encode()
                    objects.append((encoded, event))
                    rows.append((revision, encoded, EVENT_CODES[event.type], event.record.value,
                                 None if previous is None else previous.revision,
                                 None if previous is None else previous.value, now, value_checksum,
                                 previous_checksum))
            if rows:
                conn.executemany(_INSERT_EVENT, rows)
            target = max(op.revision for op in self._compactions) if self._compactions else compacted
            if target > compacted:
                compacted = min(target, compacted + self._compaction_chunk)
                self._stats.compacted_events += conn.execute(_DELETE_EVENTS, (compacted,)).rowcount
            if revision != self._revision or compacted != self._compacted:
                conn.execute(_UPDATE_META, (revision, compacted))
            self._visible = revision
            conn.execute("COMMIT")
            elapsed = time.perf_counter() - started
        except (sqlite3.Error, OSError) as exc:
            self._visible = self._revision
            self._fail(batch, exc)
            return
        # before anyone learns of the write
        self._committed_objects(objects)
        if revision != self._revision:
            self._revisions.acknowledge(revision)
        self._revision, self._compacted = revision, compacted
        self._stats.commits += 1
        self._stats.writes += len(rows)
        self._stats.commit_seconds.observe(elapsed)
        self._stats.commit_writes.observe(len(rows))
        finished = [(op, None) for op in self._compactions if op.revision <= compacted]
        self._compactions = [op for op in self._compactions if op.revision > compacted]
        self._hand_back(Committed(writes, finished, revision, compacted))

    def _checkpoint(self) -> None:
        started = time.perf_counter()
        try:
            self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as exc:
            logger.warning("WAL checkpoint between transactions failed: %s", exc)
            return
        self._stats.catch_up_checkpoints += 1
        self._stats.catch_up_checkpoint_seconds.observe(time.perf_counter() - started)

    def _apply(self, op: WriteOp, revision: Revision) -> tuple[Event, int, int | None]:
        """Check ``op``'s precondition and write it at ``revision``; raises without writing if it fails.

        Returns the event with the checksums of its value and of its previous value."""
        encoded = op.key.encode()
        if op.kind is OpKind.CREATE:  # the key's unique index is the existence check: no read first
            value = stamp(op.value, revision)
            value_checksum = checksum(encoded, revision, value)
            try:
                self._conn.execute(_INSERT_OBJECT, (encoded, revision, value, value_checksum))
            except sqlite3.IntegrityError:
                raise AlreadyExists(op.key) from None
            return Event(EventType.ADDED, Record(op.key, value, revision), None), value_checksum, None
        rows = self._conn.execute(_SELECT_CURRENT, (encoded,)).fetchall()
        if not rows:
            raise NotFound(op.key)
        current_revision, current_value, current_checksum = rows[0]
        verify(encoded, current_revision, current_value, current_checksum)
        current = Record(op.key, current_value, current_revision)
        if op.expect is not None and current.revision != op.expect:
            raise Conflict(op.key, op.expect, current)
        value = stamp(op.value if op.kind is OpKind.UPDATE else current.value, revision)
        value_checksum = checksum(encoded, revision, value)
        record = Record(op.key, value, revision)
        if op.kind is OpKind.UPDATE:
            self._conn.execute(_UPDATE_OBJECT, (revision, value, value_checksum, encoded))
            return Event(EventType.MODIFIED, record, current), value_checksum, current_checksum
        self._conn.execute(_DELETE_OBJECT, (encoded,))
        return Event(EventType.DELETED, record, current), value_checksum, current_checksum

    def _fail(self, batch: list[WriteOp | CompactOp], exc: sqlite3.Error | OSError) -> None:
        """Roll back and fail every operation of the batch (and the waiting compactions) with ``exc``."""
        logger.error("SQLite write transaction failed: %s", exc)
        try:
            self._conn.execute("ROLLBACK")
        except sqlite3.Error:
            logger.debug("nothing to roll back")
        failure = StorageError(f"the SQLite write failed: {exc}")
        failure.__cause__ = exc
        writes = [(op, failure) for op in batch if isinstance(op, WriteOp)]
        compactions, self._compactions = self._compactions, []
        self._hand_back(Committed(writes, [(op, failure) for op in compactions],
                                  self._revision, self._compacted))
