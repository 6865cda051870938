"""The revision record beside a SQLite store: its format survives a round trip and reports every kind of
damage; a running store acknowledges each commit in it and keeps the synced reserved mark ahead of every
revision it hands out."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from gitplane.storage import sqlite_open, sqlite_sidecar
from gitplane.storage.sqlite import SQLiteStore
from gitplane.storage.sqlite_sidecar import (
    RECORD_SIZE,
    RESERVE_BLOCK,
    RevisionRecord,
    decode,
    encode,
    open_revision_file,
    read_record,
    record_path,
)
from tests.unit.storage.storage_samples import body, key


def test_a_record_survives_a_round_trip() -> None:
    """Encoding then decoding gives the same revisions, in a record of the fixed size."""
    record = RevisionRecord(acknowledged=3004, reserved=13_004)
    data = encode(record)
    assert len(data) == RECORD_SIZE
    assert decode(data) == record


@pytest.mark.parametrize(("damage", "reason"), [
    pytest.param(lambda data: data[:-1], "has 31 bytes instead of 32", id="truncated"),
    pytest.param(lambda data: data + b"\0", "has 33 bytes instead of 32", id="extended"),
    pytest.param(lambda data: b"\0" * len(data), "magic", id="zeroed"),
    pytest.param(lambda data: data[:20] + bytes([data[20] ^ 0x01]) + data[21:], "fails its checksum",
                 id="one-flipped-bit"),
    pytest.param(lambda data: data[:-4] + b"\xff\xff\xff\xff", "fails its checksum", id="checksum-overwritten"),
])
def test_a_damaged_record_is_recognised(damage: Callable[[bytes], bytes], reason: str) -> None:
    """Any change to the bytes of a record is reported, saying what is wrong."""
    with pytest.raises(ValueError, match=reason):
        decode(damage(encode(RevisionRecord(100, 10_100))))


def test_a_record_whose_reserved_mark_is_below_its_acknowledged_revision_is_damaged() -> None:
    """A record can only be written with the reserved mark at or above the acknowledged revision."""
    with pytest.raises(ValueError, match="reserved revision 5 is below the acknowledged 9"):
        decode(encode(RevisionRecord(acknowledged=9, reserved=5)))


def test_reading_a_missing_record_gives_none(tmp_path: Path) -> None:
    assert read_record(str(tmp_path / "store.db.revision")) is None


def test_the_reserved_mark_is_raised_and_synced_only_when_a_revision_would_pass_it(tmp_path: Path) -> None:
    """Revisions below the mark cost nothing; the first above it raises the mark by a block, on disk."""
    path = str(tmp_path / "store.db.revision")
    revisions = open_revision_file(path, RevisionRecord(0, 100))
    try:
        assert revisions.reserve(100) is False
        assert read_record(path) == RevisionRecord(0, 100)
        assert revisions.reserve(101) is True
        assert revisions.reserved == 101 + RESERVE_BLOCK
        assert read_record(path) == RevisionRecord(0, 101 + RESERVE_BLOCK)
        revisions.acknowledge(101)
        assert read_record(path) == RevisionRecord(101, 101 + RESERVE_BLOCK)
    finally:
        revisions.close()


async def test_every_commit_is_acknowledged_in_the_record(tmp_path: Path) -> None:
    """After each write the record holds its revision, before the caller gets its result."""
    path = tmp_path / "store.db"
    store = await SQLiteStore.open(path)
    try:
        assert read_record(record_path(str(path))) == RevisionRecord(0, RESERVE_BLOCK)
        for name in ("a", "b", "c"):
            record = await store.create(key(name), body(name))
            found = read_record(record_path(str(path)))
            assert found is not None and found.acknowledged == record.revision
    finally:
        await store.close()


async def test_the_writer_keeps_the_reserved_mark_ahead_of_every_revision(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """With a small block, many writes raise the mark a few times, and it always stays above the revision."""
    monkeypatch.setattr(sqlite_sidecar, "RESERVE_BLOCK", 50)
    monkeypatch.setattr(sqlite_open, "RESERVE_BLOCK", 50)
    path = tmp_path / "store.db"
    store = await SQLiteStore.open(path)
    try:
        await asyncio.gather(*(store.create(key(f"n{i}"), body(f"n{i}")) for i in range(300)))
        found = read_record(record_path(str(path)))
        assert found is not None
        assert found.acknowledged == store.current_revision() == 300
        assert 300 <= found.reserved <= 300 + 50 + 300
        assert 1 <= store.stats.reservations <= 6
    finally:
        await store.close()


async def test_reopening_keeps_the_reserved_mark_from_going_back(tmp_path: Path) -> None:
    """A restart never lowers the mark a previous run synced."""
    path = tmp_path / "store.db"
    store = await SQLiteStore.open(path)
    await store.create(key("a"), body("a"))
    await store.close()
    revisions = open_revision_file(record_path(str(path)), RevisionRecord(1, 50_000))
    revisions.close()
    store = await SQLiteStore.open(path)
    try:
        assert read_record(record_path(str(path))) == RevisionRecord(1, 50_000)
    finally:
        await store.close()
