"""The admission policy index pairs each binding with the policy it names in its own logical cluster, compiles a
policy once per generation, and forgets clusters without pairs (the no-policy path is one dict lookup)."""

from __future__ import annotations

from typing import Any

import orjson

from gitplane.server.admission.policy_index import BINDINGS, GROUP, POLICIES, PolicyIndex
from gitplane.storage import interface as storage
from tests.unit.server.admission.policy_server import binding, policy


def event(resource: str, cluster: str, obj: dict[str, Any], revision: int, *,
          kind: storage.EventType = storage.EventType.ADDED) -> storage.Event:
    key = storage.Key(GROUP, resource, "", cluster, "", obj["metadata"]["name"])
    return storage.Event(kind, storage.Record(key, orjson.dumps(obj), revision), None)


def versioned(obj: dict[str, Any], generation: int, uid: str = "u1") -> dict[str, Any]:
    obj["metadata"].update(generation=generation, uid=uid)
    return obj


def test_a_binding_pairs_only_with_the_policy_of_its_own_cluster() -> None:
    index = PolicyIndex()
    index.apply_event(POLICIES, event(POLICIES, "root:a", versioned(policy("p", [{"expression": "true"}]), 1), 1))
    index.apply_event(BINDINGS, event(BINDINGS, "root:b", binding("b", "p"), 2))
    assert index.pairs("root:a") == ()
    assert index.pairs("root:b") == ()
    index.apply_event(BINDINGS, event(BINDINGS, "root:a", binding("b", "p"), 3))
    assert [(p.name, b.name) for p, b in index.pairs("root:a")] == [("p", "b")]
    assert index.pairs("root:b") == ()
    index.apply_event(POLICIES, event(POLICIES, "root:a", policy("p", []), 4, kind=storage.EventType.DELETED))
    assert index.pairs("root:a") == ()
    assert index.revision == 4


def test_a_policy_is_compiled_once_per_generation() -> None:
    index = PolicyIndex()
    index.apply_event(BINDINGS, event(BINDINGS, "root", binding("b", "p"), 1))
    index.apply_event(POLICIES, event(POLICIES, "root", versioned(policy("p", [{"expression": "true"}]), 1), 2))
    first = index.pairs("root")[0][0]
    with_status = versioned(policy("p", [{"expression": "true"}]), 1)
    with_status["status"] = {"observedGeneration": 1}
    index.apply_event(POLICIES, event(POLICIES, "root", with_status, 3, kind=storage.EventType.MODIFIED))
    assert index.pairs("root")[0][0] is first
    index.apply_event(POLICIES, event(POLICIES, "root", versioned(policy("p", [{"expression": "false"}]), 2), 4,
                                      kind=storage.EventType.MODIFIED))
    assert index.pairs("root")[0][0] is not first
    assert index.pairs("root")[0][0].generation == 2


def test_a_relist_replaces_what_the_index_held() -> None:
    index = PolicyIndex()
    index.apply_event(POLICIES, event(POLICIES, "root", versioned(policy("p", [{"expression": "true"}]), 1), 1))
    index.apply_event(BINDINGS, event(BINDINGS, "root", binding("b", "p"), 2))
    assert index.pairs("root")
    index.apply_list(BINDINGS, storage.Page([], 5, more=False, remaining=0))
    assert index.pairs("root") == ()
    assert index.revision == 5
