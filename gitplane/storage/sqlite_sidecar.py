"""The revision record: a small file beside the database that bounds the revisions the store handed out.

SQLite keeps the newest commits in the WAL file. If the WAL is deleted, truncated or overwritten while the
server is down, SQLite opens the database as of its last checkpoint without complaint: acknowledged writes are
gone, and the revision counter (the meta row) is back where the checkpoint left it, so resourceVersions that
clients already hold would be handed out again for different data. The record makes both visible.

``<database>.revision`` is one fixed-size binary record (:data:`RECORD_SIZE` bytes: a magic, a format
version, two revisions, and a CRC-32 of all that) holding:

* ``acknowledged``: the revision of the last committed write. The writer thread rewrites it in place with
  one ``pwrite`` after each group commit and before the callers learn of their writes. It is not synced: it
  survives ``kill -9`` because it is in the operating system's page cache, as the WAL itself is. On open, a
  database whose revision is below it has lost acknowledged writes.
* ``reserved``: an upper bound of every revision the store has ever handed out, written with ``fdatasync``.
  Before the writer gives out a revision above it, it raises the mark by :data:`RESERVE_BLOCK` and syncs the
  record (one sync per 10,000 revisions). So even after a power loss, when the unsynced ``acknowledged`` may
  be stale, the store knows where revisions may continue without repeating one: above ``reserved``.

The record is written whole and never partially read: a record that fails its magic, version, size or
checksum is *damaged*, and the store treats it like a loss it cannot measure (see
:mod:`gitplane.storage.sqlite_open`). Only the process holding the store's lock writes it; ``gitplane check``
reads it without the lock, which is why :func:`read_record` retries a record that fails its checksum.
"""

from __future__ import annotations

import logging
import os
import struct
import zlib
from dataclasses import dataclass

from gitplane.storage.interface import Revision

logger = logging.getLogger(__name__)

MAGIC = b"GPLREVRC"
FORMAT_VERSION = 1
RESERVE_BLOCK = 10_000
"""How far the reserved mark runs ahead of the revisions handed out: one ``fdatasync`` per this many."""

_BODY = struct.Struct("<8sIQQ")
_CHECKSUM = struct.Struct("<I")
RECORD_SIZE = _BODY.size + _CHECKSUM.size
_READ_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class RevisionRecord:
    acknowledged: Revision
    reserved: Revision


def record_path(database: str) -> str:
    return database + ".revision"


def encode(record: RevisionRecord) -> bytes:
    body = _BODY.pack(MAGIC, FORMAT_VERSION, record.acknowledged, record.reserved)
    return body + _CHECKSUM.pack(zlib.crc32(body))


def decode(data: bytes) -> RevisionRecord:
    """The record in ``data``; raises ``ValueError`` naming what is wrong with a damaged one."""
    if len(data) != RECORD_SIZE:
        raise ValueError(f"it has {len(data)} bytes instead of {RECORD_SIZE}")
    body = data[:_BODY.size]
    magic, version, acknowledged, reserved = _BODY.unpack(body)
    if magic != MAGIC:
        raise ValueError("it does not start with the revision record's magic")
    (stored,) = _CHECKSUM.unpack(data[_BODY.size:])
    if stored != zlib.crc32(body):
        raise ValueError("it fails its checksum")
    if version != FORMAT_VERSION:
        raise ValueError(f"its format version {version} is unknown (this build knows {FORMAT_VERSION})")
    if reserved < acknowledged:
        raise ValueError(f"its reserved revision {reserved} is below the acknowledged {acknowledged}")
    return RevisionRecord(acknowledged, reserved)


def read_record(path: str) -> RevisionRecord | None:
    """The record at ``path``, or None if there is no file; raises ``ValueError`` if it is damaged."""
    attempts = _READ_ATTEMPTS
    while True:
        try:
            with open(path, "rb") as file:
                data = file.read(RECORD_SIZE + 1)
        except FileNotFoundError:
            return None
        try:
            return decode(data)
        except ValueError:
            attempts -= 1
            if not attempts:
                raise


class RevisionFile:
    """The open record of a running store; after :func:`open_revision_file`, only the writer thread uses it.

    ``acknowledge`` costs one ``pwrite``; ``reserve`` costs nothing until a revision would pass the mark.
    """

    def __init__(self, path: str, fd: int, record: RevisionRecord) -> None:
        self.path = path
        self._fd = fd
        self.acknowledged = record.acknowledged
        self.reserved = record.reserved

    def reserve(self, highest: Revision) -> bool:
        """Make sure ``highest`` is at or below the synced mark before it is handed out; returns whether the
        mark had to be raised (and synced). Raises ``OSError``."""
        if highest <= self.reserved:
            return False
        reserved = highest + RESERVE_BLOCK
        os.pwrite(self._fd, encode(RevisionRecord(self.acknowledged, reserved)), 0)
        os.fdatasync(self._fd)
        self.reserved = reserved
        return True

    def acknowledge(self, revision: Revision) -> None:
        """Record ``revision`` as the last committed one (in the page cache, not synced)."""
        self.acknowledged = revision
        try:
            os.pwrite(self._fd, encode(RevisionRecord(revision, self.reserved)), 0)
        except OSError as exc:
            # The commit itself is durable; only the detection of a later loss is weakened.
            logger.warning("could not record acknowledged revision %s in %s: %s", revision, self.path, exc)

    def close(self) -> None:
        os.close(self._fd)


def open_revision_file(path: str, record: RevisionRecord) -> RevisionFile:
    """Write ``record`` to ``path`` durably (the file, and the directory entry of a new file); keep it open."""
    created = not os.path.exists(path)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        os.pwrite(fd, encode(record), 0)
        os.ftruncate(fd, RECORD_SIZE)
        os.fsync(fd)
        if created:
            directory = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
    except BaseException:
        os.close(fd)
        raise
    return RevisionFile(path, fd, record)
