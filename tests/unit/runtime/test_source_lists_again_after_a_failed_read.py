"""The controllers' source survives a failed read: a storage error while listing, or a watch refused right after
the list, is logged and the source lists again (a controller whose source raised used to stop for good); a
closed store ends it quietly."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from gitplane.runtime import source
from gitplane.storage import interface as storage
from gitplane.storage.memory import MemoryStore

PREFIX = storage.Prefix("", "configmaps")
KEY = storage.Key("", "configmaps", "", "root", "default", "a")


class Flaky:
    """A memory store whose first list fails and whose first watch is refused as in the future."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.lists = 0
        self.watches = 0
        self.watching = asyncio.Event()

    async def list(self, prefix: storage.Prefix, **kwargs: Any) -> storage.Page:
        self.lists += 1
        if self.lists == 1:
            raise storage.StorageError("the read failed")
        return await self.store.list(prefix, **kwargs)

    def watch(self, prefix: storage.Prefix, *, since: int) -> storage.Watch:
        self.watches += 1
        if self.watches == 1:
            raise storage.FutureRevision(since, since - 1)
        self.watching.set()
        return self.store.watch(prefix, since=since)


async def test_a_failed_list_and_a_refused_watch_are_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source, "RETRY_SECONDS", 0.01)
    memory = MemoryStore()
    flaky = Flaky(memory)
    seen: list[str] = []
    delivered = asyncio.Event()

    def event(change: storage.Event) -> None:
        seen.append(f"{change.type.value} {change.record.key.name}")
        delivered.set()

    task = asyncio.create_task(source.list_and_watch(
        flaky, PREFIX, name="test",  # type: ignore[arg-type]
        on_list=lambda page: seen.extend(f"listed {r.key.name}" for r in page.records),
        on_event=event))
    try:
        async with asyncio.timeout(5):
            await flaky.watching.wait()
            await memory.create(KEY, b'{"metadata":{"name":"a"}}')
            await delivered.wait()
        assert (flaky.lists, flaky.watches) == (3, 2) and seen == ["ADDED a"]
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await memory.close()


async def test_a_closed_store_ends_the_source() -> None:
    memory = MemoryStore()
    await memory.close()
    await asyncio.wait_for(source.list_and_watch(memory, PREFIX, name="test", on_list=lambda _: None,
                                                 on_event=lambda _: None), 5)
