"""In a logical cluster without bound policies, the ValidatingAdmissionPolicy plugin reads nothing: no store
access, no catalog lookup; policies bound in another cluster change nothing there."""

from __future__ import annotations

from typing import Any

import orjson

from gitplane.api.builtin_types import CONFIGMAPS
from gitplane.server.admission import Attributes, Operation
from gitplane.server.admission.policy_index import BINDINGS, GROUP, POLICIES, PolicyIndex
from gitplane.server.admission.validating_policy import ValidatingAdmissionPolicyPlugin
from gitplane.server.catalog import Catalog
from gitplane.server.request import UserInfo
from gitplane.storage import interface as storage
from tests.unit.server.admission.policy_server import binding, policy


class Untouchable:
    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the plugin used {name!r}")


def no_catalog(cluster: str) -> Catalog:
    raise AssertionError(f"the plugin looked up the catalog of {cluster}")


def write(cluster: str) -> Attributes:
    obj = {"metadata": {"name": "x", "namespace": "a"}, "data": {"a": "1", "b": "2", "c": "3"}}
    return Attributes(Operation.CREATE, CONFIGMAPS, "", cluster, "a", "x", obj, None, UserInfo("u"), False,
                      Untouchable())  # type: ignore[arg-type]


def added(resource: str, obj: dict[str, Any], revision: int) -> storage.Event:
    key = storage.Key(GROUP, resource, "", "root:other", "", obj["metadata"]["name"])
    return storage.Event(storage.EventType.ADDED, storage.Record(key, orjson.dumps(obj), revision), None)


async def test_a_cluster_without_policies_touches_neither_store_nor_catalog() -> None:
    index = PolicyIndex()
    plugin = ValidatingAdmissionPolicyPlugin(index, no_catalog)
    await plugin.validate(write("root"))
    index.apply_event(POLICIES, added(POLICIES, policy("p", [{"expression": "false"}]), 1))
    index.apply_event(BINDINGS, added(BINDINGS, binding("b", "p"), 2))
    assert index.pairs("root:other")
    await plugin.validate(write("root"))
