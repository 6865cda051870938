"""However many creates race, exactly as many as the quota has room for succeed: on a store where every call
lets others run, on SQLite (real threads), with the quota controller recounting meanwhile, and for any quota
and burst size (property test)."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gitplane.storage import interface as storage
from gitplane.storage.sqlite import SQLiteStore
from tests.unit.server.quota.quota_server import InterleavingStore, Server, quota_key, until, used_is


async def _burst(server: Server, count: int, prefix: str = "c") -> Counter[int]:
    """``count`` concurrent configmap creates; how many ended with each status code."""
    replies = await asyncio.gather(*(server.create_configmap(f"{prefix}{i}") for i in range(count)))
    return Counter(reply.status for reply in replies)


async def _exactly_room_for(server: Server, room: int, burst: int, *, cached: bool) -> None:
    await server.create_quota("q1", {"count/configmaps": str(room)},
                              status={"hard": {"count/configmaps": str(room)}, "used": {"count/configmaps": "0"}})
    if cached:
        async with server.following_quotas():
            outcome = await _burst(server, burst)
    else:
        outcome = await _burst(server, burst)
    assert outcome == Counter({201: room, 403: burst - room})
    assert len(await server.configmaps()) == room
    assert await server.used("q1") == {"count/configmaps": str(room)}


CACHED = pytest.mark.parametrize("cached", [pytest.param(False, id="quotas-read"),
                                             pytest.param(True, id="quota-cache-followed")])


@CACHED
async def test_concurrent_creates_fill_the_quota_exactly_when_calls_interleave(cached: bool) -> None:
    """40 creates racing for room for 5: five succeed, the others are refused, usage says 5."""
    store = InterleavingStore()
    try:
        await _exactly_room_for(await Server.start(store), 5, 40, cached=cached)
    finally:
        await store.close()


@CACHED
async def test_concurrent_creates_fill_the_quota_exactly_on_sqlite(tmp_path: Path, cached: bool) -> None:
    """The same race on SQLite, whose reads and writes run on their own threads."""
    store = await SQLiteStore.open(tmp_path / "store.db")
    try:
        await _exactly_room_for(await Server.start(store), 7, 50, cached=cached)
    finally:
        await store.close()


class CountingStore(InterleavingStore):
    """Counts the writes of quotas."""

    quota_writes = 0

    async def update(self, key: storage.Key, value: bytes, *, expect: storage.Revision) -> storage.Record:
        if key.resource == "resourcequotas":
            self.quota_writes += 1
        return await super().update(key, value, expect=expect)


async def test_concurrent_creates_are_charged_in_batches() -> None:
    """Creates waiting for a namespace's turn are checked together and cost one quota write per batch."""
    store = CountingStore()
    try:
        server = await Server.start(store)
        await server.create_quota("q1", {"configmaps": "30"}, status={"hard": {"configmaps": "30"},
                                                                       "used": {"configmaps": "0"}})
        store.quota_writes = 0
        assert await _burst(server, 30) == Counter({201: 30})
        assert await server.used("q1") == {"configmaps": "30"}
        assert store.quota_writes <= 3
    finally:
        await store.close()


async def test_recounts_racing_creates_never_give_room_away() -> None:
    """With the controller recounting meanwhile, a burst gets exactly the room; recounted deletes free room."""
    store = InterleavingStore(pauses=lambda: random.randint(0, 3))
    server = await Server.start(store)
    try:
        async with server.running_controller():
            await server.create_quota("q1", {"count/configmaps": "10"})
            await until(store, quota_key("q1"), used_is({"count/configmaps": "0"}))
            assert await _burst(server, 60) == Counter({201: 10, 403: 50})
            assert len(await server.configmaps()) == 10
            for name in sorted(await server.configmaps())[:3]:
                reply = await server.api.request("DELETE", f"/clusters/root/api/v1/namespaces/unit/configmaps/{name}")
                assert reply.status == 200
            await until(store, quota_key("q1"), used_is({"count/configmaps": "7"}))
            assert await _burst(server, 8, prefix="d") == Counter({201: 3, 403: 5})
            assert len(await server.configmaps()) == 10
    finally:
        await store.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(room=st.integers(0, 4), burst=st.integers(0, 12), seed=st.integers(0, 2**32 - 1))
def test_any_burst_gets_exactly_the_room_left(room: int, burst: int, seed: int) -> None:
    """For any quota size and burst, min(room, burst) creates succeed, whatever the interleaving."""
    pauses = random.Random(seed)

    async def scenario() -> None:
        store = InterleavingStore(pauses=lambda: pauses.randint(0, 4))
        try:
            server = await Server.start(store)
            await server.create_quota("q1", {"configmaps": str(room)},
                                      status={"hard": {"configmaps": str(room)}, "used": {"configmaps": "0"}})
            outcome = await _burst(server, burst)
            admitted = min(room, burst)
            assert outcome[201] == admitted
            assert outcome[403] == burst - admitted
            assert await server.used("q1") == {"configmaps": str(admitted)}
            page = await store.list(storage.Prefix("", "configmaps", "", "root", "unit"))
            assert len(page.records) == admitted
        finally:
            await store.close()

    asyncio.run(scenario())
