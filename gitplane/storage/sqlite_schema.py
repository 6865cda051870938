"""The SQLite store's schema, its connections, and the values its threads share.

Tables:

* ``objects``: one row per current object with its encoded key (unique), the revision of its last write and
  its value. A get is one probe of the key index; a list walks a range of it.
* ``events``: the history, one row per revision: the key, the event type, the value after the change (for a
  deletion, the last state stamped with the deleting revision), the previous value and its revision, and the
  commit time that the history window is measured by. ``events_by_key`` finds the writes to a key range
  after a revision, for lists at older revisions.
* ``meta``: one row holding the current revision and the compacted revision (the history's lower bound).

Every connection runs in autocommit mode (``isolation_level=None``); transactions are explicit. The
database uses WAL, so readers never wait for the writer. ``objects`` is an ordinary rowid table with a
unique key index rather than a ``WITHOUT ROWID`` table clustered by key: with 1 KiB values the clustered rows
spill to overflow pages, and each commit then writes more pages (measured: about 25 % fewer creates/s, lists
no faster).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Literal

from gitplane.storage.interface import Event, EventType, Key, Record, StorageError

SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 10_000
WAL_SIZE_LIMIT = 64 << 20
"""Bytes the WAL file is cut back to when it starts over (it keeps its largest size otherwise)."""

Synchronous = Literal["FULL", "NORMAL"]

_SCHEMA = """
CREATE TABLE objects (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    revision INTEGER NOT NULL,
    value BLOB NOT NULL
);
CREATE TABLE events (
    revision INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    type INTEGER NOT NULL,
    value BLOB NOT NULL,
    previous_revision INTEGER,
    previous BLOB,
    time REAL NOT NULL
);
CREATE INDEX events_by_key ON events (key, revision);
CREATE TABLE meta (
    id INTEGER PRIMARY KEY CHECK (id = 0),
    revision INTEGER NOT NULL,
    compacted INTEGER NOT NULL
);
INSERT INTO meta (id, revision, compacted) VALUES (0, 0, 0);
"""

EVENT_TYPES = (EventType.ADDED, EventType.MODIFIED, EventType.DELETED)
EVENT_CODES = {event_type: code for code, event_type in enumerate(EVENT_TYPES)}

EventRow = tuple[int, str, int, bytes, int | None, bytes | None]
"""``(revision, key, type, value, previous_revision, previous)`` as selected from ``events``."""

EVENT_COLUMNS = "revision, key, type, value, previous_revision, previous"


def connect(path: str, *, synchronous: Synchronous = "FULL", read_only: bool = False) -> sqlite3.Connection:
    """A connection to an initialised database, usable from the thread that will own it."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, cached_statements=64)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute(f"PRAGMA synchronous = {synchronous}")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT}")
    conn.execute("PRAGMA temp_store = MEMORY")
    if read_only:
        conn.execute("PRAGMA query_only = 1")
    return conn


def initialise(conn: sqlite3.Connection) -> None:
    """Create the schema in a new database, or check the version of an existing one."""
    version = conn.execute("PRAGMA user_version").fetchall()[0][0]
    if version == SCHEMA_VERSION:
        conn.execute("PRAGMA journal_mode = WAL").fetchall()
        return
    if version != 0:
        raise StorageError(f"unknown gitplane storage schema version {version} (this build knows "
                           f"{SCHEMA_VERSION})")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchall()[0][0]
    if mode != "wal":
        raise StorageError(f"SQLite refused WAL mode (journal mode is {mode})")
    conn.executescript(f"BEGIN IMMEDIATE;\n{_SCHEMA}PRAGMA user_version = {SCHEMA_VERSION};\nCOMMIT;")


def read_meta(conn: sqlite3.Connection) -> tuple[int, int]:
    """``(revision, compacted)`` as of the connection's current transaction."""
    revision, compacted = conn.execute("SELECT revision, compacted FROM meta").fetchall()[0]
    return int(revision), int(compacted)


def event_from_row(row: EventRow) -> Event:
    revision, encoded, code, value, previous_revision, previous = row
    key = Key.decode(encoded)
    before = None
    if previous is not None and previous_revision is not None:
        before = Record(key, previous, previous_revision)
    return Event(EVENT_TYPES[code], Record(key, value, revision), before)


@dataclass(slots=True)
class SQLiteStats:
    """Counters the store's threads keep (each counter has one writing thread), for tests and metrics."""

    commits: int = 0
    """Write transactions committed (one per group of writes)."""
    writes: int = 0
    """Writes that succeeded."""
    compacted_events: int = 0
    """History rows deleted by compaction."""
    checkpoints: int = 0
    """WAL checkpoints run by the checkpoint thread."""
    catch_up_checkpoints: int = 0
    """WAL checkpoints the writer ran between two transactions, so that the WAL could start over."""
