"""The SQLite store's read cache never serves a value older than one a client could have seen."""

from __future__ import annotations

import asyncio
from pathlib import Path

from gitplane.storage.interface import Event, EventType, Record
from gitplane.storage.sqlite import SQLiteStore
from gitplane.storage.sqlite_cache import ReadCache
from tests.unit.storage.storage_samples import body, key


def test_an_offer_from_before_a_commit_is_dropped() -> None:
    """A row read while a commit happened (the generation moved) is not cached."""
    cache = ReadCache(10)
    record = Record(key("a"), b"{}", 1)
    generation = cache.generation
    cache.committed([("other", Event(EventType.ADDED, Record(key("other"), b"{}", 2), None))])
    cache.offer("a", record, generation)
    assert cache.get("a") is None
    cache.offer("a", record, cache.generation)
    assert cache.get("a") is record


def test_commits_keep_what_was_written_and_capacity_evicts_the_oldest() -> None:
    """A commit puts what it wrote in the cache and takes out what it deleted; beyond its capacity the oldest
    entry goes first, and a rewritten entry counts as new."""
    cache = ReadCache(2)
    for name in ("a", "b", "c"):
        cache.offer(name, Record(key(name), b"{}", 1), cache.generation)
    assert cache.get("a") is None and cache.get("b") is not None and len(cache) == 2
    written = Record(key("b"), b'{"v":2}', 2)
    cache.committed([("b", Event(EventType.MODIFIED, written, None))])
    assert cache.get("b") is written and cache.get("c") is not None
    cache.offer("d", Record(key("d"), b"{}", 1), cache.generation)
    assert cache.get("c") is None and cache.get("b") is written  # c was older than the rewritten b
    cache.committed([("b", Event(EventType.DELETED, written, None))])
    assert cache.get("b") is None and cache.get("d") is not None


async def test_reads_are_fresh_and_monotonic_under_concurrent_updates(tmp_path: Path) -> None:
    """While one object is updated over and over, GETs never go back in time and end at the last write."""
    store = await SQLiteStore.open(tmp_path / "db", synchronous="NORMAL")
    try:
        record = await store.create(key("hot"), body("hot"))
        done = asyncio.Event()

        async def update() -> None:
            current = record
            for i in range(300):
                current = await store.update(key("hot"), body("hot", data={"i": str(i)}), expect=current.revision)
            done.set()

        async def read() -> list[int]:
            seen: list[int] = []
            while not done.is_set():
                seen.append((await store.get(key("hot"))).revision)
                await asyncio.sleep(0)
            return seen

        _, *readers = await asyncio.gather(update(), read(), read())
        for seen in readers:
            assert seen == sorted(seen)
        final = await store.get(key("hot"))
        assert final.revision == store.current_revision()
        assert b'"i":"299"' in final.value
    finally:
        await store.close()
