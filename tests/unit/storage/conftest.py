"""Fixtures of the storage tests: every backend behind one factory, so the conformance suite runs for each.

A backend joins the suite by adding a parameter to :func:`open_store`; the tests only use the ``Store``
protocol (plus the two tuning knobs below, which every backend's fan-out understands).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest

from gitplane.storage.interface import Store
from gitplane.storage.memory import MemoryStore
from gitplane.storage.sqlite import SQLiteStore
from tests.unit.storage.storage_samples import StoreFactory


@pytest.fixture(params=[pytest.param("memory", id="memory"), pytest.param("sqlite", id="sqlite")])
def open_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> StoreFactory:
    """A factory of fresh stores of one backend."""
    backend: str = request.param

    @contextlib.asynccontextmanager
    async def open_fresh(*, ring_size: int = 64, watch_queue_size: int = 8192) -> AsyncIterator[Store]:
        store: Store
        if backend == "memory":
            store = MemoryStore(ring_size=ring_size, watch_queue_size=watch_queue_size)
        else:
            path = tmp_path_factory.mktemp("sqlite") / "store.db"
            store = await SQLiteStore.open(path, ring_size=ring_size, watch_queue_size=watch_queue_size)
        try:
            yield store
        finally:
            await store.close()

    return open_fresh


@pytest.fixture
async def store(open_store: StoreFactory) -> AsyncIterator[Store]:
    """A fresh, empty store of one backend."""
    async with open_store() as opened:
        yield opened
