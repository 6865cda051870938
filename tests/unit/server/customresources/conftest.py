"""Fixtures of the custom-resource tests: the assembled server with its CRD controllers running."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from gitplane.server.assembly import Assembly, assemble
from gitplane.server.health import Health
from gitplane.server.metrics import ServerMetrics
from gitplane.storage.memory import MemoryStore
from tests.unit.server.asgi_client import CATALOG, AsgiClient, bootstrap


@pytest.fixture
async def assembly() -> AsyncIterator[Assembly]:
    """The server with its CRD controllers running."""
    store = MemoryStore()
    assembled = assemble(store, tokens={}, health=Health(), server_address="127.0.0.1:6443",
                         metrics=ServerMetrics(CATALOG, strict=True))
    await bootstrap(AsgiClient(assembled.app))
    tasks = [asyncio.create_task(run(), name=name) for name, run in assembled.controllers
             if name in ("custom-resource-catalogs", "crd")]
    try:
        yield assembled
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await store.close()


@pytest.fixture
def admin(assembly: Assembly) -> AsgiClient:
    return AsgiClient(assembly.app)
