"""Fixtures of the server's unit tests: a fresh in-memory store per test, the API server assembled on it (system
namespaces bootstrapped), an admin client speaking ASGI to it, and a namespace to work in."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from gitplane.server.app import App
from gitplane.storage.memory import MemoryStore
from tests.unit.server.asgi_client import AsgiClient, bootstrap, build_app

BOOKMARK_SECONDS = 0.02
"""The bookmark interval of the test server: small, so a bookmark test waits for one event, not half a minute."""


@pytest.fixture
async def store() -> AsyncIterator[MemoryStore]:
    memory = MemoryStore()
    try:
        yield memory
    finally:
        await memory.close()


@pytest.fixture
async def app(store: MemoryStore) -> App:
    """The API server over the test's store, with the system namespaces created."""
    server = build_app(store, bookmark_seconds=BOOKMARK_SECONDS)
    await bootstrap(AsgiClient(server))
    return server


@pytest.fixture
def admin(app: App) -> AsgiClient:
    """A client in ``system:masters`` (by client certificate)."""
    return AsgiClient(app)


@pytest.fixture
async def namespace(admin: AsgiClient) -> str:
    """An empty namespace of the test's own."""
    await admin.create("/api/v1/namespaces", {"metadata": {"name": "unit"}})
    return "unit"
