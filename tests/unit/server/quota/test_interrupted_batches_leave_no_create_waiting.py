"""When the create leading a namespace's batch fails or is cancelled, no other create is left waiting: a store
failure fails the batch (as kube fails its waiters with the last error), a cancelled leader hands its batch to
the next leader, and later creates are admitted as usual."""

from __future__ import annotations

import asyncio
import contextlib

from gitplane.storage import interface as storage
from gitplane.storage.memory import MemoryStore
from tests.unit.server.quota.quota_server import CLUSTER, NAMESPACE, WAIT_SECONDS, Server


class GatedStore(MemoryStore):
    """The next quota write fails (``fail``) or waits for ``gate`` (announcing it has arrived); ``readers``
    is set once ``expected_reads`` reads of a namespace's quotas have been made (each create reads them once
    before it waits for its namespace's turn, while the plugin's cache is not following the store)."""

    def __init__(self) -> None:
        super().__init__()
        self.fail = False
        self.gate: asyncio.Event | None = None
        self.arrived = asyncio.Event()
        self.expected_reads = 0
        self.readers = asyncio.Event()

    async def list(self, prefix: storage.Prefix, *, limit: int = 0, start_after: str | None = None,
                   revision: storage.Revision | None = None) -> storage.Page:
        if prefix.resource == "resourcequotas" and prefix.namespace is not None and self.expected_reads:
            self.expected_reads -= 1
            if not self.expected_reads:
                self.readers.set()
        return await super().list(prefix, limit=limit, start_after=start_after, revision=revision)

    async def update(self, key: storage.Key, value: bytes, *, expect: storage.Revision) -> storage.Record:
        if key.resource == "resourcequotas":
            if self.fail:
                self.fail = False
                raise storage.Closed("the store is closing")
            if self.gate is not None:
                gate, self.gate = self.gate, None
                self.arrived.set()
                await gate.wait()
        return await super().update(key, value, expect=expect)


async def _server(store: GatedStore) -> Server:
    server = await Server.start(store)
    await server.create_quota("q1", {"configmaps": "5"}, status={"hard": {"configmaps": "5"},
                                                                  "used": {"configmaps": "0"}})
    return server


async def test_a_failed_quota_write_fails_its_batch_and_no_more() -> None:
    """Every create of the failed batch gets a 500; the next create is charged and stored."""
    store = GatedStore()
    server = await _server(store)
    store.fail = True
    store.expected_reads = 3
    async with server.plugin.charges.turn(CLUSTER, NAMESPACE):
        creates = [asyncio.create_task(server.create_configmap(name)) for name in ("a", "b", "c")]
        async with asyncio.timeout(WAIT_SECONDS):
            await store.readers.wait()
    replies = await asyncio.gather(*creates)
    assert [reply.status for reply in replies] == [500, 500, 500]
    assert (await server.create_configmap("d")).status == 201
    assert await server.used("q1") == {"configmaps": "1"}
    assert await server.configmaps() == ["d"]
    await store.close()


async def test_a_cancelled_leader_hands_its_batch_over() -> None:
    """The next leader admits the creates batched with a cancelled one, which charges nothing."""
    store = GatedStore()
    server = await _server(store)
    store.gate = asyncio.Event()
    store.expected_reads = 3
    async with server.plugin.charges.turn(CLUSTER, NAMESPACE):
        leader = asyncio.create_task(server.create_configmap("a"))
        others = [asyncio.create_task(server.create_configmap(name)) for name in ("b", "c")]
        async with asyncio.timeout(WAIT_SECONDS):
            await store.readers.wait()
    async with asyncio.timeout(WAIT_SECONDS):
        await store.arrived.wait()
    leader.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await leader
    replies = await asyncio.gather(*others)
    assert [reply.status for reply in replies] == [201, 201]
    assert await server.used("q1") == {"configmaps": "2"}
    assert await server.configmaps() == ["b", "c"]
    await store.close()
