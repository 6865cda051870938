"""Reads of the SQLite store: lists, history for watches, and the history window's cut-off.

Each function takes the connection of the thread it runs on (a reader-pool thread) and reads inside one
read transaction, so the meta row (revision, compacted revision) and the rows come from the same snapshot
while the writer keeps committing. Rows are handed out as stored: values are never decoded, only verified
against their checksums (:mod:`gitplane.storage.sqlite_checksum`), so a damaged value fails the read with
``Corrupted`` naming its key instead of being served.

A list at the current revision is one range scan of ``objects``. A list at an older revision R also reads,
for each key of the range written after R, its first event after R (whose ``previous`` is its state at R)
and its last event (whether it exists now), and overlays them (:mod:`gitplane.storage.paging`).
"""

from __future__ import annotations

import sqlite3

from gitplane.storage.interface import (
    Event,
    EventType,
    FutureRevision,
    Gone,
    Key,
    Page,
    Prefix,
    Record,
    Revision,
)
from gitplane.storage.paging import Override, assemble_page, key_range, rows_needed
from gitplane.storage.sqlite_checksum import verify
from gitplane.storage.sqlite_schema import EVENT_CODES, EVENT_COLUMNS, event_from_row, read_meta

_DELETED = EVENT_CODES[EventType.DELETED]

_SELECT_RANGE = ("SELECT key, value, revision, checksum FROM objects WHERE key > ? AND key < ? "
                 "ORDER BY key LIMIT ?")
_COUNT_RANGE = "SELECT count(*) FROM objects WHERE key > ? AND key < ?"
_SELECT_CHANGES = """
SELECT changed.key, first.previous_revision, first.previous, first.previous_checksum, last.type
FROM (SELECT key, min(revision) AS first_revision, max(revision) AS last_revision
      FROM events INDEXED BY events_by_key
      WHERE key > ?1 AND key < ?2 AND revision > ?3
      GROUP BY key) AS changed
JOIN events AS first ON first.revision = changed.first_revision
JOIN events AS last ON last.revision = changed.last_revision
"""
# The unary + keeps SQLite from using events_by_key: history is read in revision order, page by page.
_SELECT_EVENTS = (f"SELECT {EVENT_COLUMNS} FROM events WHERE revision > ? AND +key > ? AND +key < ? "
                  "ORDER BY revision LIMIT ?")
_SELECT_EVENT_TIME = "SELECT revision, time FROM events WHERE revision >= ? ORDER BY revision LIMIT 1"


def read_page(conn: sqlite3.Connection, prefix: Prefix, *, limit: int, start_after: str | None,
              revision: Revision | None) -> Page:
    """One page of records under ``prefix``, as :meth:`gitplane.storage.interface.Store.list` defines it."""
    low, high = key_range(prefix, start_after)
    conn.execute("BEGIN")
    try:
        current, compacted = read_meta(conn)
        at = current if revision is None else revision
        if at > current:
            raise FutureRevision(at, current)
        if at < compacted:
            raise Gone(at, compacted)
        overrides = _overrides(conn, low, high, at) if at < current else {}
        rows = conn.execute(_SELECT_RANGE, (low, high, rows_needed(limit, overrides))).fetchall()
        records = [_record(*row) for row in rows]

        def count_after(key: str) -> int:
            return int(conn.execute(_COUNT_RANGE, (key, high)).fetchall()[0][0])

        return assemble_page(records, overrides, limit=limit, revision=at, count_after=count_after)
    finally:
        conn.execute("COMMIT")


def read_events(conn: sqlite3.Connection, prefix: Prefix, since: Revision, *, limit: int) -> list[Event]:
    """At most ``limit`` events under ``prefix`` after ``since``, in revision order.

    Raises:
        Gone: ``since`` is below the compacted revision.
    """
    low, high = key_range(prefix, None)
    conn.execute("BEGIN")
    try:
        _, compacted = read_meta(conn)
        if since < compacted:
            raise Gone(since, compacted)
        rows = conn.execute(_SELECT_EVENTS, (since, low, high, limit)).fetchall()
    finally:
        conn.execute("COMMIT")
    return [event_from_row(row) for row in rows]


def expired_revision(conn: sqlite3.Connection, cutoff: float) -> Revision:
    """The newest revision committed before ``cutoff`` (seconds), or the compacted revision if none is.

    Commit times never decrease with the revision (the writer sees to it), so a binary search over the
    history's revisions finds it with a few index probes.
    """
    conn.execute("BEGIN")
    try:
        current, compacted = read_meta(conn)
        low, high = compacted, current
        while low < high:
            middle = (low + high + 1) // 2
            rows = conn.execute(_SELECT_EVENT_TIME, (middle,)).fetchall()
            if rows and rows[0][1] < cutoff:
                low = rows[0][0]
            else:
                high = middle - 1
        return low
    finally:
        conn.execute("COMMIT")


def _overrides(conn: sqlite3.Connection, low: str, high: str, revision: Revision) -> dict[str, Override]:
    overrides: dict[str, Override] = {}
    rows = conn.execute(_SELECT_CHANGES, (low, high, revision)).fetchall()
    for encoded, previous_revision, previous, previous_checksum, last_type in rows:
        then = None if previous is None else _record(encoded, previous, previous_revision, previous_checksum)
        overrides[encoded] = Override(then, last_type != _DELETED)
    return overrides


def _record(encoded: str, value: bytes, revision: Revision, stored_checksum: int) -> Record:
    verify(encoded, revision, value, stored_checksum)
    return Record(Key.decode(encoded), value, revision)
