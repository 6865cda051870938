"""SQLiteStore: the embedded default :class:`~gitplane.storage.interface.Store`, one SQLite file in WAL mode.

One process owns a database: :meth:`SQLiteStore.open` takes an exclusive ``flock`` on ``<path>.lock`` and
fails with :class:`~gitplane.storage.interface.Locked` while another holder has it.

How requests flow (the schema is in :mod:`gitplane.storage.sqlite_schema`):

* ``get`` runs inline on the event loop, one indexed point read on a connection the loop owns: at about
  20 µs it is cheaper than a hop to a thread. Recently read objects are served from a cache the writer keeps
  exact (:mod:`gitplane.storage.sqlite_cache`).
* ``list`` and the history reads of resuming watches run on a small pool of reader threads
  (:mod:`gitplane.storage.sqlite_pool`, :mod:`gitplane.storage.sqlite_reads`), each read in one snapshot.
* writes go to the single writer thread (:mod:`gitplane.storage.sqlite_writer`), which group-commits
  whatever is waiting. After each commit it hands the outcome back with ``call_soon_threadsafe``; the loop
  publishes the events to the watch fan-out in revision order, then resolves the callers' futures, so a
  watcher sees a change no later than its writer's caller does.
* a checkpoint thread copies the WAL into the database off the request path; when the WAL has grown large
  it asks the writer for a short catch-up checkpoint between two transactions, after which the WAL starts
  over (:mod:`gitplane.storage.sqlite_checkpoint`).
* a task on the loop compacts history older than ``history_seconds`` every ``compaction_interval``; the
  writer deletes it in short chunks between writes.

Durability: a write is acknowledged only after its transaction committed. With ``synchronous="FULL"`` (the
default) the commit waits until the WAL is synced to disk, so an acknowledged write survives a crash of the
process and of the machine (power loss). With ``"NORMAL"`` the commit only writes the WAL and syncs at
checkpoints: an acknowledged write still survives ``kill -9`` of the process (the data is in the operating
system's page cache), but the last commits before a power loss or kernel crash may be lost. The database
itself stays consistent in both.

After a restart the revision continues from the meta row, and the history still in the window stays
available to watches and lists at older revisions. Integrity: a revision record beside the database
(:mod:`gitplane.storage.sqlite_sidecar`) lets :meth:`SQLiteStore.open` refuse to start when acknowledged writes
are missing (:mod:`gitplane.storage.sqlite_open`), so a resourceVersion is never handed out twice; every value
carries a checksum that each read verifies (:mod:`gitplane.storage.sqlite_checksum`), and damage found on a
read is raised as ``Corrupted`` naming the key and logged once.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import fcntl
import logging
import os
import sqlite3
import time
from collections.abc import Callable
from functools import partial
from typing import TypeVar

from gitplane.storage.fanout import Fanout, FanoutWatch
from gitplane.storage.interface import (
    Closed,
    Corrupted,
    Event,
    FutureRevision,
    Gone,
    Key,
    Locked,
    NotFound,
    Page,
    Prefix,
    Record,
    Revision,
    StorageError,
)
from gitplane.storage.sqlite_cache import ReadCache
from gitplane.storage.sqlite_checkpoint import Checkpointer
from gitplane.storage.sqlite_checksum import DamageLog, corrupted, is_corruption, verify
from gitplane.storage.sqlite_open import prepare
from gitplane.storage.sqlite_pool import ReaderPool
from gitplane.storage.sqlite_reads import expired_revision, read_events, read_page
from gitplane.storage.sqlite_schema import SQLiteStats, Synchronous, connect
from gitplane.storage.sqlite_sidecar import RevisionFile
from gitplane.storage.sqlite_writer import Committed, CompactOp, OpKind, WriteOp, Writer

logger = logging.getLogger(__name__)

T = TypeVar("T")

_GET = "SELECT value, revision, checksum FROM objects WHERE key = ?"


class SQLiteStore:
    """The SQLite store (see the module docstring). Create it with :meth:`open`."""

    def __init__(self, path: str, *, lock_fd: int, writer_conn: sqlite3.Connection, revisions: RevisionFile,
                 revision: Revision, compacted: Revision, last_time: float, synchronous: Synchronous,
                 history_seconds: float, compaction_interval: float, readers: int, ring_size: int,
                 watch_queue_size: int, checkpoint_interval: float, clock: Callable[[], float],
                 cache_size: int) -> None:
        self.path = path
        self.stats = SQLiteStats()
        self._loop = asyncio.get_running_loop()
        self._lock_fd = lock_fd
        self._revisions = revisions
        self._damage = DamageLog(path)
        self._revision = revision
        self._compacted = compacted
        self._history_seconds = history_seconds
        self._clock = clock
        self._closed = False
        self._fanout = Fanout(self, revision=revision, ring_size=ring_size, queue_size=watch_queue_size)
        self._read = connect(path, read_only=True)
        self._cache = ReadCache(cache_size)
        self._readers = ReaderPool(path, size=readers)
        self._writer = Writer(writer_conn, revision=revision, compacted=compacted, last_time=last_time,
                              clock=clock, stats=self.stats, revisions=revisions, hand_back=self._hand_back,
                              committed_objects=self._cache.committed)
        self._checkpointer = Checkpointer(path, synchronous=synchronous, commits=self._commits,
                                          request_catch_up=self._writer.request_catch_up, stats=self.stats,
                                          interval=checkpoint_interval)
        self._writer.start()
        self._checkpointer.start()
        self._expiry = self._loop.create_task(self._expire_history(compaction_interval),
                                              name="gitplane-sqlite-history-expiry")

    @classmethod
    async def open(cls, path: str | os.PathLike[str], *, synchronous: Synchronous = "FULL",
                   history_seconds: float = 300.0, compaction_interval: float | None = None,
                   readers: int = 2, ring_size: int = 4096, watch_queue_size: int = 8192,
                   checkpoint_interval: float = 0.25, clock: Callable[[], float] = time.time,
                   cache_size: int = 10_000, accept_data_loss: bool = False) -> SQLiteStore:
        """Open (or create) the database at ``path`` and start the store's threads.

        Args:
            path: the database file; ``<path>-wal``, ``<path>-shm`` and ``<path>.lock`` live beside it.
            synchronous: ``"FULL"`` or ``"NORMAL"`` (see the module docstring for what each survives).
            history_seconds: how long events stay available to watches and lists at older revisions.
            compaction_interval: seconds between two expiries of old history (default: a tenth of the
                window, between 1 and 60 seconds).
            readers: reader threads for lists and history.
            ring_size: recent events kept in memory for resuming watches.
            watch_queue_size: how many events a watcher may fall behind before it is dropped.
            checkpoint_interval: seconds between two looks of the checkpoint thread.
            clock: wall-clock seconds, recorded with each commit for the history window.
            cache_size: how many recently read objects GET may serve from memory (0: none).
            accept_data_loss: start even though acknowledged writes are missing (or the revision record that
                tells is gone): revisions continue above any ever handed out, older history is dropped.

        Raises:
            Locked: another process has the database open.
            DataLoss: acknowledged writes are missing and ``accept_data_loss`` is false (the message says what
                was lost and how to proceed).
            StorageError: the file is not a gitplane database of a known schema version.
        """
        path = os.fspath(path)
        lock_fd = _lock(path)
        try:
            opened = await asyncio.to_thread(partial(prepare, path, synchronous,
                                                     accept_data_loss=accept_data_loss))
        except BaseException:
            os.close(lock_fd)
            raise
        if compaction_interval is None:
            compaction_interval = min(60.0, max(1.0, history_seconds / 10))
        try:
            return cls(path, lock_fd=lock_fd, writer_conn=opened.conn, revisions=opened.revisions,
                       revision=opened.revision, compacted=opened.compacted, last_time=opened.last_time,
                       synchronous=synchronous, history_seconds=history_seconds,
                       compaction_interval=compaction_interval, readers=readers, ring_size=ring_size,
                       watch_queue_size=watch_queue_size, checkpoint_interval=checkpoint_interval,
                       clock=clock, cache_size=cache_size)
        except BaseException:
            opened.conn.close()
            opened.revisions.close()
            os.close(lock_fd)
            raise

    async def get(self, key: Key) -> Record:
        self._check_open()
        encoded = key.encode()
        cached = self._cache.get(encoded)
        if cached is not None:
            return cached
        generation = self._cache.generation
        try:
            rows = self._read.execute(_GET, (encoded,)).fetchall()
            if not rows:
                raise NotFound(key)
            value, revision, stored_checksum = rows[0]
            verify(encoded, revision, value, stored_checksum)
        except sqlite3.Error as exc:
            if not is_corruption(exc):
                raise StorageError(f"the SQLite read failed: {exc}") from exc
            error = corrupted(exc, encoded)
            self._damage.report(error)
            raise error from exc
        except Corrupted as exc:
            self._damage.report(exc)
            raise
        record = Record(key, value, revision)
        self._cache.offer(encoded, record, generation)
        return record

    async def list(self, prefix: Prefix, *, limit: int = 0, start_after: str | None = None,
                   revision: Revision | None = None) -> Page:
        self._check_open()
        return await self._read_in_pool(partial(read_page, prefix=prefix, limit=limit, start_after=start_after,
                                                revision=revision), prefix.encode())

    async def create(self, key: Key, value: bytes) -> Record:
        return await self._write(OpKind.CREATE, key, value, None)

    async def update(self, key: Key, value: bytes, *, expect: Revision) -> Record:
        return await self._write(OpKind.UPDATE, key, value, expect)

    async def delete(self, key: Key, *, expect: Revision | None = None) -> Record:
        return await self._write(OpKind.DELETE, key, b"", expect)

    def watch(self, prefix: Prefix, *, since: Revision) -> FanoutWatch:
        self._check_open()
        if since < self._compacted:
            raise Gone(since, self._compacted)
        # a list may have read a transaction that is committed but not yet handed to the event loop: a watch
        # from its revision is not in the future (its events arrive shortly, and those up to ``since`` are
        # skipped)
        visible = self._writer.visible_revision
        if since > visible:
            raise FutureRevision(since, visible)
        return self._fanout.subscribe(prefix, since)

    def current_revision(self) -> Revision:
        return self._revision

    def oldest_revision(self) -> Revision:
        return self._compacted

    async def compact(self, revision: Revision) -> None:
        self._check_open()
        committed = self._writer.revision
        if revision > committed:
            raise FutureRevision(revision, committed)
        if revision <= self._compacted:
            return
        future: asyncio.Future[None] = self._loop.create_future()
        self._writer.submit(CompactOp(revision, future))
        await future

    async def compact_expired(self) -> Revision:
        """Compact the history committed more than ``history_seconds`` ago; returns the oldest revision."""
        cutoff = self._clock() - self._history_seconds
        revision = await self._read_in_pool(partial(expired_revision, cutoff=cutoff), "the history window")
        await self.compact(revision)
        return self._compacted

    async def events_after(self, prefix: Prefix, since: Revision, *, limit: int) -> builtins.list[Event]:
        """History for the fan-out: up to ``limit`` events under ``prefix`` after ``since``.

        Raises:
            Gone: ``since`` has been compacted.
        """
        self._check_open()
        return await self._read_in_pool(partial(read_events, prefix=prefix, since=since, limit=limit),
                                        f"the history of {prefix.encode()}")

    async def close(self) -> None:
        """Finish the writes already submitted, stop the threads, end every watch, release the lock."""
        if self._closed:
            return
        self._closed = True
        self._expiry.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._expiry
        self._writer.stop()
        await asyncio.to_thread(self._writer.join)
        self._revisions.close()
        self._checkpointer.stop()
        await asyncio.to_thread(self._checkpointer.join)
        await asyncio.to_thread(self._readers.close)
        self._fanout.close()
        self._read.close()
        os.close(self._lock_fd)

    async def _write(self, kind: OpKind, key: Key, value: bytes, expect: Revision | None) -> Record:
        self._check_open()
        future: asyncio.Future[Record] = self._loop.create_future()
        self._writer.submit(WriteOp(kind, key, value, expect, future))
        try:
            return await future
        except Corrupted as exc:
            self._damage.report(exc)
            raise

    async def _read_in_pool(self, read: Callable[[sqlite3.Connection], T], subject: str) -> T:
        """``read`` on a reader thread; damage it finds is logged (once) before it is raised."""
        try:
            return await self._readers.run(read, subject)
        except Corrupted as exc:
            self._damage.report(exc)
            raise

    def _hand_back(self, committed: Committed) -> None:
        """On the writer thread: pass a commit's outcome to the event loop."""
        try:
            self._loop.call_soon_threadsafe(self._deliver, committed)
        except RuntimeError:
            logger.error("the event loop of %s closed before the store; results are lost", self.path)

    def _deliver(self, committed: Committed) -> None:
        """On the loop: publish the events in revision order, then resolve the callers' futures."""
        for _, outcome in committed.writes:
            if isinstance(outcome, Event):
                self._fanout.publish(outcome)
        self._revision = committed.revision
        self._compacted = committed.compacted
        for op, outcome in committed.writes:
            if op.future.done():
                continue
            if isinstance(outcome, Event):
                op.future.set_result(outcome.record)
            else:
                op.future.set_exception(outcome)
        for compaction, error in committed.compactions:
            if compaction.future.done():
                continue
            if error is None:
                compaction.future.set_result(None)
            else:
                compaction.future.set_exception(error)

    async def _expire_history(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await self.compact_expired()
            except (StorageError, sqlite3.Error) as exc:
                logger.warning("expiring the history of %s failed: %s", self.path, exc)

    def wal_bytes(self) -> int:
        """The size of the write-ahead log file now (0 when there is none), for the server's metrics."""
        try:
            return os.stat(self.path + "-wal").st_size
        except FileNotFoundError:
            return 0

    def _commits(self) -> int:
        return self.stats.commits

    def _check_open(self) -> None:
        if self._closed:
            raise Closed("the store is closed")


def _lock(path: str) -> int:
    """Take the exclusive lock on ``<path>.lock``; returns its descriptor (closing it releases the lock)."""
    lock_path = path + ".lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
        os.close(fd)
        raise Locked(f"the database {path} is in use by another process (pid {holder}; lock file "
                     f"{lock_path})") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd

