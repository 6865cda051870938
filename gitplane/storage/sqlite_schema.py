"""The SQLite store's schema, its connections, and the values its threads share.

Tables:

* ``objects``: one row per current object with its encoded key (unique), the revision of its last write, its
  value and the value's checksum. A get is one probe of the key index; a list walks a range of it.
* ``events``: the history, one row per revision: the key, the event type, the value after the change (for a
  deletion, the last state stamped with the deleting revision), the previous value and its revision, the
  commit time that the history window is measured by, and the checksums of both values. ``events_by_key``
  finds the writes to a key range after a revision, for lists at older revisions.
* ``meta``: one row holding the current revision and the compacted revision (the history's lower bound).

Checksums (:mod:`gitplane.storage.sqlite_checksum`) came with schema version 2; :func:`initialise` migrates a
version-1 database in place, computing the checksums of its rows in one transaction.

Every connection runs in autocommit mode (``isolation_level=None``); transactions are explicit. The
database uses WAL, so readers never wait for the writer. ``objects`` is an ordinary rowid table with a
unique key index rather than a ``WITHOUT ROWID`` table clustered by key: with 1 KiB values the clustered rows
spill to overflow pages, and each commit then writes more pages (measured: about 25 % fewer creates/s, lists
no faster).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Literal

from gitplane.storage.distribution import Distribution
from gitplane.storage.interface import Event, EventType, Key, Record, StorageError
from gitplane.storage.sqlite_checksum import checksum, verify

SCHEMA_VERSION = 2
BUSY_TIMEOUT_MS = 10_000
WAL_SIZE_LIMIT = 64 << 20
"""Bytes the WAL file is cut back to when it starts over (it keeps its largest size otherwise)."""

Synchronous = Literal["FULL", "NORMAL"]

DURATION_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                    5.0, 10.0)
"""Seconds: the buckets of the commit and checkpoint timings (a commit syncs in 0.1 to 10 ms on most disks)."""
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000)
"""Writes per transaction (the writer takes at most 1,000 at once)."""

_SCHEMA = """
CREATE TABLE objects (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    revision INTEGER NOT NULL,
    value BLOB NOT NULL,
    checksum INTEGER NOT NULL
);
CREATE TABLE events (
    revision INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    type INTEGER NOT NULL,
    value BLOB NOT NULL,
    previous_revision INTEGER,
    previous BLOB,
    time REAL NOT NULL,
    checksum INTEGER NOT NULL,
    previous_checksum INTEGER
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

# Version 1 had no checksums; the columns are appended as a fresh database has them, every row's computed.
_MIGRATE_FROM_1 = """
ALTER TABLE objects ADD COLUMN checksum INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN checksum INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN previous_checksum INTEGER;
UPDATE objects SET checksum = gitplane_checksum(key, revision, value);
UPDATE events SET checksum = gitplane_checksum(key, revision, value),
    previous_checksum = CASE WHEN previous IS NULL THEN NULL
                             ELSE gitplane_checksum(key, previous_revision, previous) END;
"""

EventRow = tuple[int, str, int, bytes, int | None, bytes | None, int, int | None]
"""``(revision, key, type, value, previous_revision, previous, checksum, previous_checksum)`` as selected
from ``events``."""

EVENT_COLUMNS = "revision, key, type, value, previous_revision, previous, checksum, previous_checksum"


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


def schema_version(conn: sqlite3.Connection) -> int:
    """The database's schema version (0: a new, empty database); raises for a version this build cannot open."""
    version = int(conn.execute("PRAGMA user_version").fetchall()[0][0])
    if version not in (0, 1, SCHEMA_VERSION):
        raise StorageError(f"unknown gitplane storage schema version {version} (this build knows "
                           f"{SCHEMA_VERSION})")
    return version


def initialise(conn: sqlite3.Connection) -> None:
    """Create the schema in a new database, migrate a version-1 one, or check the version of an existing one."""
    version = schema_version(conn)
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchall()[0][0]
    if mode != "wal":
        raise StorageError(f"SQLite refused WAL mode (journal mode is {mode})")
    if version == 0:
        conn.executescript(f"BEGIN IMMEDIATE;\n{_SCHEMA}PRAGMA user_version = {SCHEMA_VERSION};\nCOMMIT;")
    elif version == 1:
        conn.create_function("gitplane_checksum", 3, checksum, deterministic=True)
        conn.executescript(f"BEGIN IMMEDIATE;\n{_MIGRATE_FROM_1}PRAGMA user_version = {SCHEMA_VERSION};\n"
                           "COMMIT;")


def read_meta(conn: sqlite3.Connection) -> tuple[int, int]:
    """``(revision, compacted)`` as of the connection's current transaction."""
    revision, compacted = conn.execute("SELECT revision, compacted FROM meta").fetchall()[0]
    return int(revision), int(compacted)


def event_from_row(row: EventRow) -> Event:
    """The event of a history row, its checksums verified (raises :class:`~.interface.Corrupted`)."""
    revision, encoded, code, value, previous_revision, previous, value_checksum, previous_checksum = row
    verify(encoded, revision, value, value_checksum)
    key = Key.decode(encoded)
    before = None
    if previous is not None and previous_revision is not None:
        verify(encoded, previous_revision, previous, previous_checksum)
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
    reservations: int = 0
    """Times the writer raised and synced the reserved revision mark (:mod:`~.sqlite_sidecar`)."""
    commit_seconds: Distribution = field(default_factory=lambda: Distribution(DURATION_BUCKETS))
    """How long each write transaction took, from BEGIN to the end of COMMIT (the writer thread)."""
    commit_writes: Distribution = field(default_factory=lambda: Distribution(BATCH_BUCKETS))
    """Writes committed per transaction: the group commit's batch size (the writer thread)."""
    checkpoint_seconds: Distribution = field(default_factory=lambda: Distribution(DURATION_BUCKETS))
    """How long each checkpoint of the checkpoint thread took."""
    catch_up_checkpoint_seconds: Distribution = field(default_factory=lambda: Distribution(DURATION_BUCKETS))
    """How long each catch-up checkpoint took (the writer thread, between two transactions)."""
