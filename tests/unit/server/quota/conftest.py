"""Fixtures of the quota tests: a fresh in-memory store and the server assembled on it with the ResourceQuota
plugin (namespaces ``default`` and ``unit`` created)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from gitplane.storage.memory import MemoryStore
from tests.unit.server.quota.quota_server import Server


@pytest.fixture
async def memory() -> AsyncIterator[MemoryStore]:
    store = MemoryStore()
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
async def server(memory: MemoryStore) -> Server:
    return await Server.start(memory)
