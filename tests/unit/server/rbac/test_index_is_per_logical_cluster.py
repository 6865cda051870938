"""The RBAC index follows every logical cluster's RBAC objects in one set of watches; a binding grants only in
its own cluster; cached decisions change as soon as the index sees a change of that cluster's policy, and a
change in another cluster leaves them in place."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitplane.server import requestinfo
from gitplane.server.rbac.authorizer import RBACAuthorizer
from gitplane.server.rbac.index import PolicyIndex
from gitplane.server.request import UserInfo
from gitplane.server.stages.authz import Attributes, Decision
from gitplane.storage import interface as storage
from gitplane.storage.memory import MemoryStore
from tests.unit.server.rbac.server import binding, role, user

GROUP = "rbac.authorization.k8s.io"
ALICE = UserInfo("alice", ("system:authenticated",))
READ_CM = [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}]


@pytest.fixture
async def followed() -> AsyncIterator[tuple[MemoryStore, PolicyIndex]]:
    store = MemoryStore()
    index = PolicyIndex()
    task = asyncio.create_task(index.follow(store))
    try:
        yield store, index
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await store.close()


async def put(store: MemoryStore, index: PolicyIndex, resource: str, cluster: str, obj: dict[str, Any]) -> int:
    meta = obj["metadata"]
    record = await store.create(storage.Key(GROUP, resource, "", cluster, meta.get("namespace", ""), meta["name"]),
                                orjson.dumps(obj))
    async with asyncio.timeout(10):
        await index.wait_for(record.revision)
    return record.revision


def decide(authorizer: RBACAuthorizer, cluster: str, path: str = "/api/v1/namespaces/a/configmaps/c") -> Decision:
    return authorizer.authorize(Attributes(ALICE, cluster, requestinfo.parse("GET", path, {})))[0]


async def test_a_binding_grants_in_its_own_cluster_only(followed: tuple[MemoryStore, PolicyIndex]) -> None:
    store, index = followed
    authorizer = RBACAuthorizer(index)
    await put(store, index, "clusterroles", "root:org-a", role("reader", READ_CM))
    await put(store, index, "clusterroles", "root:org-b", role("reader", READ_CM))
    await put(store, index, "clusterrolebindings", "root:org-a",
              binding("alice", "ClusterRole", "reader", [user("alice")]))
    assert decide(authorizer, "root:org-a") is Decision.ALLOW
    assert decide(authorizer, "root:org-b") is Decision.NO_OPINION
    assert decide(authorizer, "root") is Decision.NO_OPINION


async def test_cached_decisions_follow_the_clusters_policy_revision(
        followed: tuple[MemoryStore, PolicyIndex]) -> None:
    store, index = followed
    authorizer = RBACAuthorizer(index)
    assert decide(authorizer, "root") is Decision.NO_OPINION  # cached now
    before_b = index.policy_revision("other")
    await put(store, index, "roles", "root", role("reader", READ_CM, "a"))
    await put(store, index, "rolebindings", "root", binding("alice", "Role", "reader", [user("alice")], "a"))
    assert decide(authorizer, "root") is Decision.ALLOW
    assert decide(authorizer, "root", "/api/v1/namespaces/b/configmaps/c") is Decision.NO_OPINION
    assert index.policy_revision("other") == before_b


async def test_a_local_binding_may_name_a_bootstrap_clusterrole(followed: tuple[MemoryStore, PolicyIndex]) -> None:
    """As kcp's bootstrap policy: ``view`` exists for every cluster even before it is written there."""
    store, index = followed
    authorizer = RBACAuthorizer(index)
    await put(store, index, "rolebindings", "root:team", binding("alice", "ClusterRole", "view", [user("alice")], "a"))
    assert decide(authorizer, "root:team") is Decision.ALLOW
    assert decide(authorizer, "root:team", "/api/v1/namespaces/a/secrets/s") is Decision.NO_OPINION


async def test_a_relist_replaces_what_the_index_held(followed: tuple[MemoryStore, PolicyIndex]) -> None:
    """After a lost watch the index lists again; what the new page lacks no longer grants."""
    store, index = followed
    authorizer = RBACAuthorizer(index)
    await put(store, index, "clusterroles", "root", role("reader", READ_CM))
    revision = await put(store, index, "clusterrolebindings", "root",
                         binding("alice", "ClusterRole", "reader", [user("alice")]))
    assert decide(authorizer, "root") is Decision.ALLOW
    index.apply_list("clusterrolebindings", storage.Page([], revision + 1, more=False, remaining=0))
    assert decide(authorizer, "root") is Decision.NO_OPINION


NAMES = st.sampled_from(["alice", "bob"])
STEPS = st.lists(st.tuples(st.booleans(), st.sampled_from(["root", "root:org"]), st.sampled_from(["a", "b", ""]),
                           NAMES, st.sampled_from(["User", "Group"])), min_size=1, max_size=12)


@given(STEPS)
def test_cached_decisions_always_agree_with_a_fresh_evaluation(
        steps: list[tuple[bool, str, str, str, str]]) -> None:
    """Whatever bindings come and go, the long-lived (caching) authorizer answers as a new one would."""
    index = PolicyIndex()
    cached = RBACAuthorizer(index)
    users = [UserInfo("alice", ("bob",)), UserInfo("bob", ())]
    for revision, (add, cluster, namespace, name, kind) in enumerate(steps, start=1):
        resource = "rolebindings" if namespace else "clusterrolebindings"
        subject = {"kind": kind, "apiGroup": GROUP, "name": name}
        obj = binding(f"{kind}-{name}", "ClusterRole", "view", [subject], namespace)
        key = storage.Key(GROUP, resource, "", cluster, namespace, obj["metadata"]["name"])
        record = storage.Record(key, orjson.dumps(obj), revision)
        kind_of_event = storage.EventType.ADDED if add else storage.EventType.DELETED
        index.apply_event(resource, storage.Event(kind_of_event, record, None))
        fresh = RBACAuthorizer(index)
        for who in users:
            for where in ("root", "root:org"):
                for path in ("/api/v1/namespaces/a/configmaps/c", "/api/v1/namespaces/b/configmaps",
                             "/api/v1/configmaps"):
                    attrs = Attributes(who, where, requestinfo.parse("GET", path, {}))
                    assert cached.authorize(attrs) == fresh.authorize(attrs), (who, where, path)
