"""The SQLite store refuses to start when acknowledged writes are missing (the WAL or the database file was
deleted or damaged, or the revision record that would tell is gone), and with ``accept_data_loss`` starts
above every revision it ever handed out, without a history that has holes."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import gitplane
from gitplane.storage.interface import DataLoss, Gone, Prefix
from gitplane.storage.sqlite import SQLiteStore
from gitplane.storage.sqlite_sidecar import RESERVE_BLOCK, RevisionRecord, encode, read_record, record_path
from tests.unit.storage.storage_samples import body, key

CONFIGMAPS = Prefix("", "configmaps")
SOURCE_ROOT = str(Path(gitplane.__file__).resolve().parents[1])
CHECKPOINTED = 20
WRITTEN = 50

# Writes 20 objects, checkpoints them into the database file, writes 30 more (which only the WAL holds, as
# the store's own checkpoints never come in an hour), says "done" and waits to be killed.
CRASHING_WRITER = f"""
import asyncio, sqlite3, sys
from gitplane.storage.interface import Key
from gitplane.storage.sqlite import SQLiteStore

async def main(path):
    store = await SQLiteStore.open(path, synchronous="NORMAL", checkpoint_interval=3600)
    for i in range({WRITTEN}):
        if i == {CHECKPOINTED}:
            conn = sqlite3.connect(path)
            busy, _, _ = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()[0]
            conn.close()
            assert not busy
        await store.create(Key("", "configmaps", "", "root", "default", f"n{{i}}"), b'{{"metadata":{{}}}}')
    print("done", flush=True)
    await asyncio.Event().wait()

asyncio.run(main(sys.argv[1]))
"""


def delete(path: Path) -> None:
    path.unlink()


def wal(path: Path) -> Path:
    return Path(f"{path}-wal")


def revision_record(path: Path) -> Path:
    return Path(record_path(str(path)))


def flip_a_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def truncate_to_header(path: Path) -> None:
    os.truncate(path, 32)


def overwrite_with_random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(path.stat().st_size))


async def crash_with_writes_only_in_the_wal(path: Path) -> None:
    """Run :data:`CRASHING_WRITER` on ``path`` and kill it with SIGKILL once its writes are acknowledged."""
    child = await asyncio.create_subprocess_exec(sys.executable, "-c", CRASHING_WRITER, str(path),
                                                 stdout=asyncio.subprocess.PIPE,
                                                 env={**os.environ, "PYTHONPATH": SOURCE_ROOT})
    assert child.stdout is not None
    assert await child.stdout.readline() == b"done\n"
    child.kill()
    await child.wait()
    assert wal(path).stat().st_size > 0


@pytest.mark.parametrize("damage", [delete, truncate_to_header, overwrite_with_random_bytes],
                         ids=["deleted", "truncated-to-its-header", "random-bytes"])
async def test_a_lost_wal_after_kill_9_refuses_to_start(tmp_path: Path, damage: Callable[[Path], None]) -> None:
    """The database ends where its last checkpoint left it, below the acknowledged revision: refused, with
    what is missing and how to go on."""
    path = tmp_path / "store.db"
    await crash_with_writes_only_in_the_wal(path)
    damage(wal(path))
    with pytest.raises(DataLoss) as refused:
        await SQLiteStore.open(path)
    message = str(refused.value)
    assert (f"the database at {path} ends at revision {CHECKPOINTED} but revision {WRITTEN} was acknowledged: "
            f"{WRITTEN - CHECKPOINTED} acknowledged writes are missing (was the WAL file deleted or damaged?)"
            in message)
    assert "Restore the data directory from a backup, or start with --accept-data-loss" in message
    assert f"resourceVersions will then continue above {RESERVE_BLOCK}." in message


async def test_accepting_the_loss_continues_above_every_revision_handed_out(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """With accept_data_loss the store keeps what the database has, moves its revision to the reserved mark,
    answers Gone below it, records the loss in the log, and starts normally afterwards."""
    path = tmp_path / "store.db"
    await crash_with_writes_only_in_the_wal(path)
    delete(wal(path))
    with caplog.at_level(logging.WARNING, logger="gitplane.storage.sqlite_open"):
        store = await SQLiteStore.open(path, accept_data_loss=True)
    try:
        assert f"{WRITTEN - CHECKPOINTED} acknowledged writes are missing" in caplog.text
        assert store.current_revision() == store.oldest_revision() == RESERVE_BLOCK
        assert len((await store.list(CONFIGMAPS)).records) == CHECKPOINTED
        with pytest.raises(Gone):
            await store.list(CONFIGMAPS, revision=CHECKPOINTED)
        with pytest.raises(Gone):
            store.watch(CONFIGMAPS, since=CHECKPOINTED)
        after = await store.create(key("after"), body("after"))
        assert after.revision == RESERVE_BLOCK + 1
    finally:
        await store.close()
    assert read_record(record_path(str(path))) == RevisionRecord(RESERVE_BLOCK + 1, 2 * RESERVE_BLOCK)
    store = await SQLiteStore.open(path)
    try:
        assert store.current_revision() == RESERVE_BLOCK + 1
    finally:
        await store.close()


async def written_store(path: Path) -> None:
    store = await SQLiteStore.open(path)
    try:
        for name in ("a", "b", "c"):
            await store.create(key(name), body(name))
    finally:
        await store.close()


@pytest.mark.parametrize(("damage", "state"), [
    pytest.param(delete, "is missing", id="deleted"),
    pytest.param(lambda path: os.truncate(path, 0), "is empty", id="zero-length"),
])
async def test_a_lost_database_in_an_initialised_directory_refuses_to_start(
        tmp_path: Path, damage: Callable[[Path], None], state: str) -> None:
    """A deleted or emptied database beside a record that acknowledged writes is not a new store."""
    path = tmp_path / "store.db"
    await written_store(path)
    damage(path)
    with pytest.raises(DataLoss, match=f"the database {path} {state} but revision 3 was acknowledged: 3 "
                                       "acknowledged writes are missing"):
        await SQLiteStore.open(path)
    assert not path.exists() or path.stat().st_size == 0


async def test_accepting_a_lost_database_starts_empty_above_the_reserved_mark(tmp_path: Path) -> None:
    """The new database starts at the reserved mark; a WAL left beside the missing file is set aside."""
    path = tmp_path / "store.db"
    await written_store(path)
    delete(path)
    wal(path).write_bytes(b"stale frames")
    store = await SQLiteStore.open(path, accept_data_loss=True)
    try:
        assert (await store.list(CONFIGMAPS)).records == []
        assert (await store.create(key("a"), body("a"))).revision == RESERVE_BLOCK + 1
    finally:
        await store.close()
    assert wal(path).with_name(f"{wal(path).name}.lost").read_bytes() == b"stale frames"


async def test_a_missing_revision_record_refuses_to_start(tmp_path: Path) -> None:
    """Without its record nobody can tell whether writes are missing; accepting continues a block above."""
    path = tmp_path / "store.db"
    await written_store(path)
    delete(revision_record(path))
    with pytest.raises(DataLoss, match=r"revision record .* is missing \(was it deleted\?\)"):
        await SQLiteStore.open(path)
    store = await SQLiteStore.open(path, accept_data_loss=True)
    try:
        assert store.current_revision() == 3 + RESERVE_BLOCK
        assert len((await store.list(CONFIGMAPS)).records) == 3
    finally:
        await store.close()


async def test_a_damaged_revision_record_refuses_to_start(tmp_path: Path) -> None:
    """A record that fails its checksum is not trusted, and says so."""
    path = tmp_path / "store.db"
    await written_store(path)
    flip_a_byte(revision_record(path), 12)
    with pytest.raises(DataLoss, match="is damaged \\(it fails its checksum\\)"):
        await SQLiteStore.open(path)


async def test_a_store_that_died_between_commit_and_record_starts_normally(tmp_path: Path) -> None:
    """A database ahead of its record lost nothing: the record is only behind."""
    path = tmp_path / "store.db"
    await written_store(path)
    revision_record(path).write_bytes(encode(RevisionRecord(1, RESERVE_BLOCK)))
    store = await SQLiteStore.open(path)
    try:
        assert store.current_revision() == 3
    finally:
        await store.close()
    assert read_record(record_path(str(path))) == RevisionRecord(3, 3 + RESERVE_BLOCK)
