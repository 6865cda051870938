"""Opening the SQLite store's files: the schema, the revision record, and the refusal to start after a loss.

:func:`prepare` compares the database with its revision record (:mod:`gitplane.storage.sqlite_sidecar`)
before anything is written:

* no database (missing or zero-length file) and no record, or a record that acknowledged nothing: a new
  store;
* a version-1 database (before checksums) and no record: it is migrated in place, and the record starts at
  its revision;
* a database at revision R whose record acknowledged A ≤ R: a normal start (A < R only means the process died
  between a commit and its record);
* anything else is a *loss*: the record acknowledged more than the database holds (the WAL or the database
  file was deleted, truncated or overwritten), or the record of a version-2 database is missing or damaged,
  so nobody can tell. The store refuses to start with :class:`~gitplane.storage.interface.DataLoss`, whose
  message says what is missing and how to proceed.

With ``accept_data_loss`` the store starts anyway: its revision and its compacted revision both move to
the record's reserved mark, above every revision it can ever have handed out (the database's revision plus
one reserve block when the record is gone), and the old history is dropped, so no resourceVersion repeats
and watches and lists at an older revision get 410 Gone instead of a history with holes. A WAL or shared-memory
file left beside a missing database is set aside (``*.lost``) rather than replayed into the new one.

The record is rewritten durably before the schema is created or migrated, so a version-2 database never
exists without it.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from dataclasses import dataclass
from typing import NamedTuple

from gitplane.storage.interface import DataLoss, Revision, StorageError
from gitplane.storage.sqlite_schema import SCHEMA_VERSION, Synchronous, connect, initialise, read_meta, schema_version
from gitplane.storage.sqlite_sidecar import (
    RESERVE_BLOCK,
    RevisionFile,
    RevisionRecord,
    open_revision_file,
    read_record,
    record_path,
)

logger = logging.getLogger(__name__)

_LAST_TIME = "SELECT time FROM events ORDER BY revision DESC LIMIT 1"
_ACCEPT_META = "UPDATE meta SET revision = ?, compacted = ? WHERE id = 0"


class Opened(NamedTuple):
    """The writer's connection, where the store left off, and its open revision record."""

    conn: sqlite3.Connection
    revision: Revision
    compacted: Revision
    last_time: float
    revisions: RevisionFile


@dataclass(frozen=True, slots=True)
class _Found:
    """What :func:`prepare` found on disk before writing anything."""

    path: str
    record_path: str
    present: bool
    version: int
    revision: Revision
    record: RevisionRecord | None
    damage: str | None

    def loss(self) -> tuple[str, Revision] | None:
        """What is lost, and the revision above which the store may continue without repeating one."""
        if self.damage is not None:
            return (f"{self._state()}, and its revision record {self.record_path} is damaged ({self.damage}), so "
                    "the store cannot tell which revisions it acknowledged", self.revision + RESERVE_BLOCK)
        if self.record is None:
            if self.version != SCHEMA_VERSION:
                return None
            return (f"{self._state()}, but its revision record {self.record_path} is missing (was it deleted?), "
                    "so the store cannot tell whether acknowledged writes are missing",
                    self.revision + RESERVE_BLOCK)
        acknowledged = self.record.acknowledged
        if acknowledged <= self.revision:
            return None
        lost = acknowledged - self.revision
        cause = "the WAL file" if self.present and self.version else "the database file"
        return (f"{self._state()} but revision {acknowledged} was acknowledged: {lost} acknowledged "
                f"write{'s are' if lost > 1 else ' is'} missing (was {cause} deleted or damaged?)",
                self.record.reserved)

    def _state(self) -> str:
        if not os.path.exists(self.path):
            return f"the database {self.path} is missing"
        if not self.present:
            return f"the database {self.path} is empty"
        if not self.version:
            return f"the database {self.path} holds no gitplane data"
        return f"the database at {self.path} ends at revision {self.revision}"


def prepare(path: str, synchronous: Synchronous, *, accept_data_loss: bool) -> Opened:
    """Open the writer's connection, check the files against each other (see the module docstring), create or
    migrate the schema, and read where the store left off.

    Raises:
        DataLoss: acknowledged writes are missing (or nobody can tell) and ``accept_data_loss`` is false.
        StorageError: the file is not a usable gitplane database.
    """
    found_record = record_path(path)
    try:
        record, damage = read_record(found_record), None
    except ValueError as exc:
        record, damage = None, str(exc)
    present = os.path.exists(path) and os.path.getsize(path) > 0
    conn: sqlite3.Connection | None = None
    revisions: RevisionFile | None = None
    try:
        if present:
            conn = connect(path, synchronous=synchronous)
        version = schema_version(conn) if conn is not None else 0
        revision = read_meta(conn)[0] if conn is not None and version else 0
        loss = _check(_Found(path, found_record, present, version, revision, record, damage), accept_data_loss)
        if conn is None:
            conn = connect(path, synchronous=synchronous)
        start = revision if loss is None else loss
        reserved = max(record.reserved if record is not None else 0, start + RESERVE_BLOCK)
        revisions = open_revision_file(found_record, RevisionRecord(start, reserved))
        initialise(conn)
        if loss is not None:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(_ACCEPT_META, (loss, loss))
            conn.execute("DELETE FROM events")
            conn.execute("COMMIT")
        revision, compacted = read_meta(conn)
        rows = conn.execute(_LAST_TIME).fetchall()
    except BaseException as exc:
        if conn is not None:
            conn.close()
        if revisions is not None:
            revisions.close()
        if isinstance(exc, sqlite3.Error):
            raise StorageError(f"{path} is not a usable gitplane database: {exc} (`gitplane check` examines "
                               "it)") from exc
        raise
    return Opened(conn, revision, compacted, rows[0][0] if rows else 0.0, revisions)


def _check(found: _Found, accept_data_loss: bool) -> Revision | None:
    """Refuse a loss (raise :class:`DataLoss`), or accept it: the revision to continue from (None: no loss)."""
    loss = found.loss()
    if loss is None:
        return None
    what, resume = loss
    if not accept_data_loss:
        raise DataLoss(f"{what}. Restore the data directory from a backup, or start with --accept-data-loss "
                       f"(GITPLANE_ACCEPT_DATA_LOSS=true) to continue without them; resourceVersions will then "
                       f"continue above {resume}.")
    logger.warning("accepting data loss: %s; resourceVersions continue above %s, and watches and lists at "
                   "older revisions get 410 Gone", what, resume)
    if not found.present:
        for suffix in ("-wal", "-shm"):
            stale = found.path + suffix
            if os.path.exists(stale):
                os.replace(stale, stale + ".lost")
                logger.warning("set aside %s, left beside the missing database, as %s.lost", stale, stale)
    return resume
