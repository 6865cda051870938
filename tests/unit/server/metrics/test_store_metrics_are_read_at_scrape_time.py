"""The store's own numbers are exported when ``/metrics`` is scraped: the revision of every store, and for
SQLite the commit durations and batch sizes, checkpoint durations and the WAL size."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gitplane.storage.sqlite import SQLiteStore
from gitplane.storage.sqlite_checkpoint import Checkpointer
from tests.unit.server.asgi_client import AsgiClient, bootstrap, build_app
from tests.unit.server.metrics.scrape import scrape


@pytest.fixture
async def sqlite(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    store = await SQLiteStore.open(tmp_path / "db", synchronous="NORMAL", checkpoint_interval=3600.0)
    try:
        yield store
    finally:
        await store.close()


async def test_sqlite_commits_checkpoints_and_wal_are_exported(sqlite: SQLiteStore) -> None:
    # checkpoints as the store's checkpoint thread runs them: PASSIVE after writes, then TRUNCATE when idle
    checkpointer = Checkpointer(sqlite.path, synchronous="NORMAL", commits=lambda: sqlite.stats.commits,
                                request_catch_up=lambda: None, stats=sqlite.stats)
    try:
        admin = AsgiClient(build_app(sqlite))
        await bootstrap(admin)
        for i in range(5):
            await admin.create("/api/v1/namespaces/default/configmaps", {"metadata": {"name": f"cm-{i}"}})
        metrics = await scrape(admin)
        assert metrics.value("gitplane_store_revision") == sqlite.current_revision() > 0
        commits = metrics.value("gitplane_store_commit_duration_seconds_count")
        assert commits >= 1 and metrics.value("gitplane_store_commit_duration_seconds_sum") > 0
        assert metrics.value("gitplane_store_commit_batch_size_count") == commits
        # the bootstrap's 11 writes (4 namespaces, root's LogicalCluster and its status, 5 WorkspaceTypes), then 5
        assert metrics.value("gitplane_store_commit_batch_size_sum") == sqlite.stats.writes == 16
        assert metrics.value("gitplane_store_checkpoint_duration_seconds_count", kind="background") == 0
        wal = await asyncio.to_thread(os.path.getsize, f"{sqlite.path}-wal")
        assert metrics.value("gitplane_store_wal_bytes") == wal > 0  # no checkpoint yet (interval: an hour)

        assert await asyncio.to_thread(checkpointer.run_once) == "PASSIVE"
        assert await asyncio.to_thread(checkpointer.run_once) == "TRUNCATE"
        metrics = await scrape(admin)
        assert metrics.value("gitplane_store_checkpoint_duration_seconds_count", kind="background") == 2
        assert metrics.value("gitplane_store_checkpoint_duration_seconds_count", kind="catch-up") == 0
        assert metrics.value("gitplane_store_wal_bytes") == 0
    finally:
        checkpointer.close()


async def test_other_stores_report_their_revision(admin: AsgiClient) -> None:
    metrics = await scrape(admin)
    # the four system namespaces, root's LogicalCluster and its status, the five built-in WorkspaceTypes
    assert metrics.value("gitplane_store_revision") == 11
    assert "gitplane_store_commit_duration_seconds_count" not in metrics.names()
