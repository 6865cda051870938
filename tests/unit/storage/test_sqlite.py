"""What the SQLite store adds to the conformance suite: persistence, group commit, locking, durability."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

import gitplane
from gitplane.storage.interface import Closed, Gone, Key, Locked, Prefix, StorageError
from gitplane.storage.sqlite import SQLiteStore
from gitplane.storage.sqlite_checkpoint import Checkpointer
from gitplane.storage.sqlite_schema import SQLiteStats
from tests.unit.storage.storage_samples import body, key, take

CONFIGMAPS = Prefix("", "configmaps")
SOURCE_ROOT = str(Path(gitplane.__file__).resolve().parents[1])

WRITER_SCRIPT = """
import asyncio, sys
from gitplane.storage.interface import Key
from gitplane.storage.sqlite import SQLiteStore

async def main(path, synchronous):
    store = await SQLiteStore.open(path, synchronous=synchronous)
    print("open", flush=True)

    async def write(writer):
        for i in range(1_000_000):
            key = Key("", "configmaps", "", "root", "default", f"w{writer}-{i}")
            record = await store.create(key, b'{"metadata":{"name":"%s"}}' % key.name.encode())
            print(key.encode(), record.revision, flush=True)

    await asyncio.gather(*(write(writer) for writer in range(8)))

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""

OPEN_SCRIPT = """
import asyncio, sys
from gitplane.storage.sqlite import SQLiteStore

async def main(path):
    try:
        store = await SQLiteStore.open(path)
    except Exception as exc:
        print(type(exc).__name__, exc)
    else:
        await store.close()
        print("opened")

asyncio.run(main(sys.argv[1]))
"""


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


async def run_python(script: str, *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, *args, stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": SOURCE_ROOT})


async def test_reopening_continues_the_revision_and_keeps_the_history(tmp_path: Path) -> None:
    """After a restart the revision goes on and history in the window still serves watches and lists."""
    path = tmp_path / "store.db"
    store = await SQLiteStore.open(path)
    created = [await store.create(key(f"n{i}"), body(f"n{i}")) for i in range(4)]
    updated = await store.update(key("n0"), body("n0", data={"x": "1"}), expect=created[0].revision)
    await store.close()

    store = await SQLiteStore.open(path)
    try:
        assert store.current_revision() == updated.revision
        assert store.oldest_revision() == 0
        events = await take(store.watch(CONFIGMAPS, since=created[1].revision), 3)
        assert [event.record for event in events] == [*created[2:], updated]
        assert events[-1].previous == created[0]
        assert (await store.list(CONFIGMAPS, revision=created[3].revision)).records == created
        assert (await store.create(key("n9"), body("n9"))).revision == updated.revision + 1
    finally:
        await store.close()


async def test_history_older_than_the_window_is_compacted(tmp_path: Path) -> None:
    """History committed before the window is forgotten; what is inside stays."""
    clock = FakeClock()
    store = await SQLiteStore.open(tmp_path / "store.db", history_seconds=60.0, clock=clock)
    try:
        old = [await store.create(key(f"old{i}"), body(f"old{i}")) for i in range(3)]
        clock.now += 61
        new = await store.create(key("new"), body("new"))
        assert await store.compact_expired() == old[-1].revision == store.oldest_revision()
        with pytest.raises(Gone):
            await store.list(CONFIGMAPS, revision=old[-2].revision)
        events = await take(store.watch(CONFIGMAPS, since=old[-1].revision), 1)
        assert [event.record for event in events] == [new]
        assert store.stats.compacted_events == 3
    finally:
        await store.close()


async def test_compaction_of_a_long_history_finishes_in_chunks(tmp_path: Path) -> None:
    """Compacting more history than one transaction deletes still removes all of it."""
    store = await SQLiteStore.open(tmp_path / "store.db")
    try:
        await asyncio.gather(*(store.create(key(f"n{i}"), body(f"n{i}")) for i in range(5000)))
        await store.compact(store.current_revision())
        assert store.stats.compacted_events == 5000
        assert len((await store.list(CONFIGMAPS)).records) == 5000
    finally:
        await store.close()


async def test_concurrent_writes_share_transactions(tmp_path: Path) -> None:
    """Writes that wait together are committed together: far fewer transactions than writes."""
    store = await SQLiteStore.open(tmp_path / "store.db")
    try:
        before = store.stats.commits
        await asyncio.gather(*(store.create(key(f"n{i}"), body(f"n{i}")) for i in range(200)))
        assert store.stats.commits - before <= 100
        assert store.stats.writes == 200
    finally:
        await store.close()


async def test_a_second_process_cannot_open_an_open_database(tmp_path: Path) -> None:
    """The lock file keeps a second process out, with a clear error, until the owner closes."""
    path = tmp_path / "store.db"
    store = await SQLiteStore.open(path)
    try:
        child = await run_python(OPEN_SCRIPT, str(path))
        output, _ = await child.communicate()
        assert output.decode().startswith(f"Locked the database {path} is in use by another process "
                                          f"(pid {os.getpid()}")
    finally:
        await store.close()
    child = await run_python(OPEN_SCRIPT, str(path))
    output, _ = await child.communicate()
    assert output.decode() == "opened\n"


async def test_a_second_store_in_the_same_process_cannot_open_it_either(tmp_path: Path) -> None:
    """The lock also holds within one process."""
    store = await SQLiteStore.open(tmp_path / "store.db")
    try:
        with pytest.raises(Locked):
            await SQLiteStore.open(tmp_path / "store.db")
    finally:
        await store.close()


async def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    """Opening some other file fails with a StorageError, not a SQLite exception."""
    path = tmp_path / "store.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StorageError, match="not a usable gitplane database"):
        await SQLiteStore.open(path)


@pytest.mark.parametrize("synchronous", ["FULL", "NORMAL"])
async def test_acknowledged_writes_survive_kill_9(tmp_path: Path, synchronous: str) -> None:
    """Every write a killed process acknowledged is in the database when it is opened again."""
    path = tmp_path / "store.db"
    child = await run_python(WRITER_SCRIPT, str(path), synchronous)
    assert child.stdout is not None
    assert await child.stdout.readline() == b"open\n"
    lines = [(await child.stdout.readline()).decode() for _ in range(300)]
    child.send_signal(signal.SIGKILL)
    lines += (await child.stdout.read()).decode().splitlines(keepends=True)
    await child.wait()
    acknowledged = {encoded: int(revision)
                    for encoded, revision in (line.split() for line in lines if line.endswith("\n"))}

    store = await SQLiteStore.open(path)
    try:
        for encoded, revision in acknowledged.items():
            assert (await store.get(Key.decode(encoded))).revision == revision
        assert store.current_revision() >= max(acknowledged.values())
    finally:
        await store.close()


async def test_checkpoints_empty_the_wal_once_the_store_is_idle(tmp_path: Path) -> None:
    """After writes a PASSIVE checkpoint runs (asking the writer to catch up if the WAL is long); once
    nothing was written since, a TRUNCATE empties the WAL."""
    path = tmp_path / "store.db"
    store = await SQLiteStore.open(path, checkpoint_interval=3600.0)
    catch_ups: list[None] = []
    checkpointer = Checkpointer(str(path), synchronous="FULL", commits=lambda: store.stats.commits,
                                request_catch_up=lambda: catch_ups.append(None), stats=SQLiteStats(),
                                restart_frames=10)
    try:
        await asyncio.gather(*(store.create(key(f"n{i}"), body(f"n{i}")) for i in range(100)))
        assert (await store.list(CONFIGMAPS)).records
        assert await asyncio.to_thread(os.path.getsize, f"{path}-wal") > 0
        assert await asyncio.to_thread(checkpointer.run_once) == "PASSIVE"
        assert catch_ups == [None]
        assert await asyncio.to_thread(checkpointer.run_once) == "TRUNCATE"
        assert await asyncio.to_thread(os.path.getsize, f"{path}-wal") == 0
        assert await asyncio.to_thread(checkpointer.run_once) is None
    finally:
        checkpointer.close()
        await store.close()


async def test_closing_finishes_the_writes_already_submitted(tmp_path: Path) -> None:
    """Writes submitted before close complete; the writes after it fail with Closed."""
    path = tmp_path / "store.db"
    store = await SQLiteStore.open(path)
    results = await asyncio.gather(*(store.create(key(f"n{i}"), body(f"n{i}")) for i in range(50)),
                                   store.close())
    assert len({record.revision for record in results if record is not None}) == 50
    with pytest.raises(Closed):
        await store.create(key("late"), body("late"))
    store = await SQLiteStore.open(path)
    try:
        assert len((await store.list(CONFIGMAPS)).records) == 50
    finally:
        await store.close()


async def test_a_watch_from_a_list_that_saw_a_commit_not_yet_handed_back_is_not_in_the_future(
        tmp_path: Path) -> None:
    """A list reads the database, so it may see a transaction the writer has committed but not yet recorded
    (it is still acknowledging it in the revision file); a watch from that list's revision must start, skip
    what the list already held, and go on with later writes (a FutureRevision here once killed the CRD
    controller at start-up)."""
    store = await SQLiteStore.open(tmp_path / "db")
    try:
        await store.create(key("a"), body("a"))
        revisions = store._writer._revisions  # the writer is held between its COMMIT and its record
        acknowledge, entered, release = revisions.acknowledge, asyncio.Event(), asyncio.Event()
        loop = asyncio.get_running_loop()

        def held(revision: int) -> None:
            loop.call_soon_threadsafe(entered.set)
            asyncio.run_coroutine_threadsafe(release.wait(), loop).result(5)
            acknowledge(revision)

        revisions.acknowledge = held  # type: ignore[method-assign]
        second = asyncio.ensure_future(store.create(key("b"), body("b")))
        await asyncio.wait_for(entered.wait(), 5)
        page = await store.list(CONFIGMAPS)
        assert [r.key.name for r in page.records] == ["a", "b"] and page.revision > store._writer.revision
        watch = store.watch(CONFIGMAPS, since=page.revision)
        release.set()
        await second
        revisions.acknowledge = acknowledge  # type: ignore[method-assign]
        third = await store.create(key("c"), body("c"))
        assert [(e.record.key.name, e.revision) for e in await take(watch, 1)] == [("c", third.revision)]
        watch.close()
    finally:
        await store.close()
