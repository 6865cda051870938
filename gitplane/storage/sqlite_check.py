"""``gitplane check``: verify a SQLite store, stopped or running, without changing anything.

The database is opened read-only through a ``file:`` URI (``mode=ro``; ``immutable=1`` when there is no WAL
file, so not even the WAL and shared-memory files are created), without the store's lock, and every check
runs in one read transaction: a running server goes on writing, and the checks see one consistent snapshot.
Nothing is written and nothing is checkpointed.

The checks, one line each (``ok`` with what was seen, or the problem found, naming keys):

* ``database``: SQLite's ``PRAGMA integrity_check`` (pages, indexes, free lists);
* ``schema``: a schema version this build knows;
* ``objects``: every object's checksum, and no object newer than the database's revision;
* ``events``: every history row's checksums, and the window: exactly one event for each revision from the
  compacted revision (exclusive) to the database's revision, commit times that never go back;
* ``history``: for each key written in the window, its latest event agrees with the object row (same
  revision and value, or no row after a deletion), and every object written in the window has its event;
* ``revision record``: the record beside the database is intact, acknowledged no more than the database
  holds, and reserved at least as much. The record is read before the snapshot (for ``acknowledged``) and
  after it (for ``reserved``), so a running store's writes between the two reads cannot look like damage.

:func:`check_store` returns the exit code: 0 when every check passes, 1 when one found a problem, 2 when the
database cannot be read at all (no file, no permission).
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Callable, Iterable
from typing import TextIO
from urllib.parse import quote

from gitplane.storage.interface import EventType
from gitplane.storage.sqlite_checksum import checksum
from gitplane.storage.sqlite_schema import EVENT_CODES, EVENT_TYPES, SCHEMA_VERSION
from gitplane.storage.sqlite_sidecar import RevisionRecord, read_record, record_path

_SHOWN = 10
"""Keys named per problem; the rest are counted."""
_DELETED = EVENT_CODES[EventType.DELETED]

_LATEST = """
SELECT e.key, e.revision, e.type, e.value = o.value, o.revision
FROM (SELECT key, max(revision) AS revision FROM events GROUP BY key) AS latest
JOIN events AS e ON e.revision = latest.revision
LEFT JOIN objects AS o ON o.key = e.key
"""
_UNRECORDED = """
SELECT key, revision FROM objects WHERE revision > ?
AND NOT EXISTS (SELECT 1 FROM events WHERE events.revision = objects.revision AND events.key = objects.key)
"""


class Problem(Exception):
    """What one check found wrong."""


class _Snapshot:
    """The connection inside its read transaction, and what the checks share."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self.path = path
        self.version = 0
        self.revision = 0
        self.compacted = 0


def check_store(path: str | os.PathLike[str], *, out: TextIO) -> int:
    """Run every check on the database at ``path``, print one line per check to ``out``; the exit code."""
    database = os.fspath(path)
    if not os.path.isfile(database):
        print(f"gitplane check: there is no database at {database}", file=sys.stderr)
        return 2
    before = _read_record(database)
    try:
        conn = _connect_read_only(database)
    except OSError as exc:
        print(f"gitplane check: cannot read {database}: {exc}", file=sys.stderr)
        return 2
    print(f"checking {database}", file=out)
    snapshot = _Snapshot(conn, database)
    checks: list[tuple[str, Callable[[], str]]] = [
        ("database", lambda: _integrity(snapshot)),
        ("schema", lambda: _schema(snapshot)),
        ("objects", lambda: _objects(snapshot)),
        ("events", lambda: _events(snapshot)),
        ("history", lambda: _history(snapshot)),
        ("revision record", lambda: _record(snapshot, before, _read_record(database))),
    ]
    failed = 0
    try:
        conn.execute("BEGIN")
        for name, run in checks:
            try:
                print(f"{name}: ok ({run()})", file=out)
            except (Problem, sqlite3.Error) as exc:
                failed += 1
                print(f"{name}: PROBLEM: {exc}", file=out)
    finally:
        conn.close()
    print("all checks passed" if not failed else f"{failed} check(s) found problems", file=out)
    return 1 if failed else 0


def _connect_read_only(database: str) -> sqlite3.Connection:
    immutable = "" if os.path.exists(database + "-wal") else "&immutable=1"
    try:
        return sqlite3.connect(f"file:{quote(os.path.abspath(database))}?mode=ro{immutable}", uri=True,
                               isolation_level=None)
    except sqlite3.Error as exc:
        raise OSError(str(exc)) from exc


def _read_record(database: str) -> RevisionRecord | str | None:
    """The revision record, None if there is none, or what is wrong with it."""
    try:
        return read_record(record_path(database))
    except ValueError as exc:
        return str(exc)
    except OSError as exc:
        return f"it cannot be read ({exc})"


def _integrity(snapshot: _Snapshot) -> str:
    messages = [row[0] for row in snapshot.conn.execute("PRAGMA integrity_check(100)")]
    if messages != ["ok"]:
        raise Problem(f"SQLite finds the file damaged: {'; '.join(messages[:_SHOWN])}")
    pages = snapshot.conn.execute("PRAGMA page_count").fetchall()[0][0]
    return f"integrity_check passed, {pages} pages"


def _schema(snapshot: _Snapshot) -> str:
    conn = snapshot.conn
    snapshot.version = int(conn.execute("PRAGMA user_version").fetchall()[0][0])
    if snapshot.version not in (1, SCHEMA_VERSION):
        raise Problem(f"schema version {snapshot.version} is not a gitplane store this build knows "
                      f"(1 or {SCHEMA_VERSION})")
    snapshot.revision, snapshot.compacted = conn.execute("SELECT revision, compacted FROM meta").fetchall()[0]
    if snapshot.version == 1:
        return "version 1, before checksums: the server adds them when it next starts"
    return f"version {SCHEMA_VERSION}, revision {snapshot.revision}, compacted {snapshot.compacted}"


def _objects(snapshot: _Snapshot) -> str:
    _require_schema(snapshot)
    damaged, newer, count = [], [], 0
    verified = snapshot.version == SCHEMA_VERSION
    columns = "key, revision, value, checksum" if verified else "key, revision, value, 0"
    for key, revision, value, stored in snapshot.conn.execute(f"SELECT {columns} FROM objects"):
        count += 1
        if verified and stored != checksum(key, revision, value):
            damaged.append(f"{key} (revision {revision})")
        if revision > snapshot.revision:
            newer.append(f"{key} (revision {revision})")
    problems = []
    if damaged:
        problems.append(f"{_named(damaged)} fail their checksum")
    if newer:
        problems.append(f"{_named(newer)} are newer than the database's revision {snapshot.revision}")
    if problems:
        raise Problem("; ".join(problems))
    return f"{count} objects" + (", checksums verified" if verified else "")


def _events(snapshot: _Snapshot) -> str:
    _require_schema(snapshot)
    verified = snapshot.version == SCHEMA_VERSION
    columns = ("revision, key, type, value, previous_revision, previous, time, "
               + ("checksum, previous_checksum" if verified else "0, 0"))
    damaged: list[str] = []
    problems: list[str] = []
    count, expected, last_time = 0, snapshot.compacted + 1, 0.0
    rows = snapshot.conn.execute(f"SELECT {columns} FROM events ORDER BY revision")
    for revision, key, code, value, previous_revision, previous, time, stored, previous_stored in rows:
        count += 1
        if verified and (stored != checksum(key, revision, value) or (
                previous is not None and previous_stored != checksum(key, previous_revision, previous))):
            damaged.append(f"{key} (revision {revision})")
        if revision != expected and len(problems) < _SHOWN:
            problems.append(f"revision {revision} follows {expected - 1} (expected {expected})")
        if code not in range(len(EVENT_TYPES)) and len(problems) < _SHOWN:
            problems.append(f"the event at revision {revision} has the unknown type {code}")
        if time < last_time and len(problems) < _SHOWN:
            problems.append(f"the commit time goes back at revision {revision}")
        expected, last_time = revision + 1, max(last_time, time)
    if expected - 1 != snapshot.revision:
        problems.append(f"the history ends at revision {expected - 1}, the database's revision is "
                        f"{snapshot.revision}")
    if damaged:
        problems.insert(0, f"the events of {_named(damaged)} fail their checksum")
    if problems:
        raise Problem("; ".join(problems))
    window = f"revisions {snapshot.compacted + 1} to {snapshot.revision}" if count else "empty"
    return f"{count} events, window {window}" + (", checksums verified" if verified else "")


def _history(snapshot: _Snapshot) -> str:
    _require_schema(snapshot)
    disagree = []
    keys = 0
    for key, revision, code, same_value, object_revision in snapshot.conn.execute(_LATEST):
        keys += 1
        if code == _DELETED:
            if object_revision is not None:
                disagree.append(f"{key} (deleted at {revision}, still stored at revision {object_revision})")
        elif object_revision is None:
            disagree.append(f"{key} (written at {revision}, not stored)")
        elif object_revision != revision or not same_value:
            disagree.append(f"{key} (latest event {revision}, stored revision {object_revision}"
                            f"{'' if same_value else ', different value'})")
    unrecorded = [f"{key} (revision {revision})"
                  for key, revision in snapshot.conn.execute(_UNRECORDED, (snapshot.compacted,))]
    problems = []
    if disagree:
        problems.append(f"the latest events of {_named(disagree)} disagree with the stored objects")
    if unrecorded:
        problems.append(f"{_named(unrecorded)} have no event in the history window")
    if problems:
        raise Problem("; ".join(problems))
    return f"{keys} keys written in the window agree with the stored objects"


def _record(snapshot: _Snapshot, before: RevisionRecord | str | None, after: RevisionRecord | str | None) -> str:
    where = record_path(snapshot.path)
    _require_schema(snapshot)
    for found in (before, after):
        if isinstance(found, str):
            raise Problem(f"{where} is damaged: {found}")
        if found is None:
            if snapshot.version == 1:
                return "none yet: the server writes it when it migrates the database"
            raise Problem(f"{where} is missing: the server will refuse to start")
    assert isinstance(before, RevisionRecord) and isinstance(after, RevisionRecord)
    if before.acknowledged > snapshot.revision:
        lost = before.acknowledged - snapshot.revision
        raise Problem(f"revision {before.acknowledged} was acknowledged but the database ends at "
                      f"{snapshot.revision}: {lost} acknowledged writes are missing")
    if after.reserved < snapshot.revision:
        raise Problem(f"the reserved mark {after.reserved} is below the database's revision "
                      f"{snapshot.revision}")
    return f"acknowledged {before.acknowledged}, reserved {after.reserved}"


def _require_schema(snapshot: _Snapshot) -> None:
    if snapshot.version not in (1, SCHEMA_VERSION):
        raise Problem("skipped: no gitplane schema")


def _named(items: Iterable[str]) -> str:
    listed = list(items)
    shown = ", ".join(listed[:_SHOWN])
    return shown if len(listed) <= _SHOWN else f"{shown} and {len(listed) - _SHOWN} more"
