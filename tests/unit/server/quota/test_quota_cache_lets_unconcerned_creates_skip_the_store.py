"""The plugin's quota cache, kept by a watch of every quota, says which namespaces' quotas may limit which
names; once it has listed, creates no quota concerns read no quota from the store, and until then (or while it
lists again) every create reads the store."""

from __future__ import annotations

from typing import Any

import orjson

from gitplane.server.admission.resource_quota_cache import QuotaCache
from gitplane.storage import interface as storage
from gitplane.storage.memory import MemoryStore
from tests.unit.server.quota.quota_server import NAMESPACE, InterleavingStore, Server

COUNTS = ("count/configmaps", "configmaps")


def _record(name: str, quota: dict[str, Any], namespace: str = NAMESPACE, revision: int = 1) -> storage.Record:
    return storage.Record(storage.Key("", "resourcequotas", "", "root", namespace, name), orjson.dumps(quota),
                          revision)


def test_the_cache_answers_maybe_until_it_has_listed() -> None:
    """Before a complete list, every namespace may be limited."""
    assert QuotaCache().may_limit("root", NAMESPACE, COUNTS)


def test_the_cache_knows_what_each_namespace_limits() -> None:
    """spec.hard and status.hard names count, a scoped quota limits no object count, deletes are forgotten."""
    cache = QuotaCache()
    cache.reset([_record("q1", {"spec": {"hard": {"secrets": "1"}}, "status": {"hard": {"configmaps": "1"}}}),
                 _record("q2", {"spec": {"hard": {"count/configmaps": "1"}, "scopes": ["BestEffort"]}},
                         namespace="scoped")])
    assert cache.may_limit("root", NAMESPACE, COUNTS)
    assert cache.may_limit("root", NAMESPACE, ("count/secrets", "secrets"))
    assert not cache.may_limit("root", NAMESPACE, ("count/leases.coordination.k8s.io",))
    assert not cache.may_limit("root", "scoped", COUNTS)
    assert not cache.may_limit("root", "empty", COUNTS)
    assert not cache.may_limit("root:other", NAMESPACE, COUNTS)
    gone = _record("q1", {}, revision=2)
    cache.apply(storage.Event(storage.EventType.DELETED, gone, gone))
    assert not cache.may_limit("root", NAMESPACE, COUNTS)
    added = _record("q3", {"spec": {"hard": {"count/configmaps": "0"}}}, revision=3)
    cache.apply(storage.Event(storage.EventType.ADDED, added, None))
    assert cache.may_limit("root", NAMESPACE, COUNTS)


class QuotaReadCounter(InterleavingStore):
    """Counts the lists of quotas."""

    quota_reads = 0

    async def list(self, prefix: storage.Prefix, *, limit: int = 0, start_after: str | None = None,
                   revision: storage.Revision | None = None) -> storage.Page:
        if prefix.resource == "resourcequotas" and prefix.namespace is not None:
            self.quota_reads += 1
        return await super().list(prefix, limit=limit, start_after=start_after, revision=revision)


async def test_creates_no_quota_concerns_read_no_quota_once_listed() -> None:
    """With the cache following the store, a create in a namespace without quotas costs no quota read."""
    store = QuotaReadCounter()
    try:
        server = await Server.start(store)
        assert (await server.create_configmap("before")).status == 201
        assert store.quota_reads == 1
        async with server.following_quotas():
            store.quota_reads = 0
            for name in ("a", "b", "c"):
                assert (await server.create_configmap(name)).status == 201
            assert store.quota_reads == 0
    finally:
        await store.close()


async def test_a_quota_the_cache_has_listed_limits_creates(memory: MemoryStore) -> None:
    """The cache never lets a constrained create skip: a listed quota is checked against the store."""
    server = await Server.start(memory)
    await server.create_quota("q1", {"configmaps": "1"}, status={"hard": {"configmaps": "1"},
                                                                  "used": {"configmaps": "0"}})
    async with server.following_quotas():
        assert (await server.create_configmap("c1")).status == 201
        reply = await server.create_configmap("c2")
        assert reply.status == 403
        assert reply.json()["message"].endswith("exceeded quota: q1, requested: configmaps=1, used: configmaps=1, "
                                                "limited: configmaps=1")
