"""What the memory store adds to the conformance suite: its history window."""

from __future__ import annotations

import pytest

from gitplane.storage.interface import Gone, Prefix
from gitplane.storage.memory import MemoryStore
from tests.unit.storage.storage_samples import body, key, take

CONFIGMAPS = Prefix("", "configmaps")


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_history_older_than_the_window_is_dropped_as_writes_arrive() -> None:
    """A write forgets the events older than the window; watches and lists from before it are Gone."""
    clock = FakeClock()
    store = MemoryStore(history_seconds=60.0, clock=clock, ring_size=1)
    old = [await store.create(key(f"old{i}"), body(f"old{i}")) for i in range(3)]
    clock.now += 61
    new = await store.create(key("new"), body("new"))
    assert store.oldest_revision() == old[-1].revision
    with pytest.raises(Gone):
        await store.list(CONFIGMAPS, revision=old[-2].revision)
    with pytest.raises(Gone):
        store.watch(CONFIGMAPS, since=old[-2].revision)
    assert [event.record for event in await take(store.watch(CONFIGMAPS, since=old[-1].revision), 1)] == [new]
    await store.close()
