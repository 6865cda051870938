"""Sample keys and objects, and helpers to read watches with a safety timeout, for the storage tests."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Protocol

import orjson

from gitplane.storage.interface import Event, Key, Record, Store, Watch

WAIT_SECONDS = 10.0
"""How long a test waits for events that must arrive (a safety net against hangs, not a timing)."""


class StoreFactory(Protocol):
    """Opens a fresh, empty store and closes it on exit (the ``open_store`` fixture)."""

    def __call__(self, *, ring_size: int = 64,
                 watch_queue_size: int = 8192) -> contextlib.AbstractAsyncContextManager[Store]: ...


def key(name: str, *, namespace: str = "default", cluster: str = "root", resource: str = "configmaps",
        group: str = "", identity: str = "") -> Key:
    return Key(group, resource, identity, cluster, namespace, name)


def body(name: str, **fields: Any) -> bytes:
    return orjson.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, **fields})


def decoded(record: Record) -> dict[str, Any]:
    value: dict[str, Any] = orjson.loads(record.value)
    return value


async def take(watch: Watch, count: int) -> list[Event]:
    """The next ``count`` events of ``watch``."""
    events: list[Event] = []
    iterator = aiter(watch)
    async with asyncio.timeout(WAIT_SECONDS):
        while len(events) < count:
            events.append(await anext(iterator))
    return events


async def drain(watch: Watch) -> list[Event]:
    """Every event ``watch`` still yields until its iteration ends."""
    async with asyncio.timeout(WAIT_SECONDS):
        return [event async for event in watch]


async def consume_in_background(watch: Watch) -> asyncio.Task[list[Event]]:
    """A task draining ``watch``, returned once it is waiting inside the watch."""
    started = asyncio.Event()

    async def consume() -> list[Event]:
        started.set()
        return await drain(watch)

    task = asyncio.create_task(consume())
    await started.wait()
    return task
