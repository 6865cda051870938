"""The logical-cluster index: paths and names resolve, phases and deletions follow the store at once."""

from __future__ import annotations

import asyncio

import orjson

from gitplane.server.tenancy import logicalclusters as lc
from gitplane.server.tenancy.index import ROOT, Entry, LogicalClusterIndex
from gitplane.storage import interface as storage
from gitplane.storage.memory import MemoryStore


def logical(path: str, phase: str) -> bytes:
    return orjson.dumps({"metadata": {"name": lc.NAME, "annotations": {lc.PATH_ANNOTATION: path}},
                         "status": {"phase": phase}})


async def test_paths_names_and_phases_follow_the_store() -> None:
    store = MemoryStore()
    index = LogicalClusterIndex()
    task = asyncio.create_task(index.follow(store))
    try:
        assert index.resolve(ROOT) == ROOT  # before anything is stored
        record = await store.create(lc.key("abc123"), logical("root:org-a", "Initializing"))
        await index.wait_for(record.revision)
        assert index.resolve("root:org-a") == "abc123"
        assert index.resolve("abc123") == "abc123"
        assert index.entry("abc123") == Entry("root:org-a", "Initializing")
        record = await store.update(lc.key("abc123"), logical("root:org-a", "Ready"), expect=record.revision)
        await index.wait_for(record.revision)
        assert index.entry("abc123") == Entry("root:org-a", "Ready")
        record = await store.delete(lc.key("abc123"))
        await index.wait_for(store.current_revision())
        assert index.entry("abc123") is None
        assert index.resolve("root:org-a") is None
        assert index.resolve("not:a:known:path") is None
        assert index.resolve("*") is None and index.resolve("root%3Aorg-a") is None
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await store.close()


async def test_an_object_named_otherwise_is_no_logical_cluster() -> None:
    store = MemoryStore()
    await store.create(storage.Key(lc.GROUP, lc.RESOURCE, "", "xyz", "", "other"), logical("root:x", "Ready"))
    index = LogicalClusterIndex()
    task = asyncio.create_task(index.follow(store))
    try:
        await index.wait_for(store.current_revision())
        assert index.entry("xyz") is None and index.resolve("root:x") is None
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await store.close()
