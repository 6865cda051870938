"""Step 1: delete the content of a terminating namespace, and say in its status what remains.

Every namespaced type of the cluster's catalog is emptied (types that share storage, such as the two views of
Events, once). Deletion goes through the API, so objects held by finalizers are only marked; they are counted
as remaining until their finalizers are gone. Conditions set on the namespace, with kube's reasons and messages:
``NamespaceDeletionDiscoveryFailure`` and ``NamespaceDeletionGroupVersionParsingFailure`` (always False: the
catalog is known), ``NamespaceContentRemaining``
and ``NamespaceFinalizersRemaining`` (True while something remains), ``NamespaceDeletionContentFailure`` (True
when a delete failed).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import orjson

from gitplane.server.catalog import Catalog
from gitplane.server.inprocess import InProcessClient
from gitplane.storage import interface as storage


@dataclass
class Remaining:
    """What is left in a namespace after a pass."""

    objects: Counter[str] = field(default_factory=Counter)
    finalizers: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.objects.values())


def _cluster_path(cluster: str) -> str:
    return f"/clusters/{cluster}"


async def delete_content(*, store: storage.Store, api: InProcessClient, catalog: Catalog, cluster: str,
                         namespace: str) -> Remaining:
    remaining = Remaining()
    seen: set[tuple[str, str, str]] = set()
    for resource_type in catalog.types:
        stored = (resource_type.stored_group, resource_type.plural, resource_type.storage_identity)
        if not resource_type.namespaced or stored in seen:
            continue
        seen.add(stored)
        prefix = storage.Prefix(*stored, cluster=cluster, namespace=namespace)
        page = await store.list(prefix)
        for record in page.records:
            obj = orjson.loads(record.value)
            meta = obj.get("metadata") or {}
            path = _cluster_path(cluster) + resource_type.url_path(namespace, record.key.name)
            if not meta.get("deletionTimestamp"):
                reply = await api.request("DELETE", path, body={"propagationPolicy": "Background"})
                if reply.status == 404 or (reply.status < 300 and reply.json().get("kind") == "Status"):
                    continue  # gone (a held object is answered with itself, a removed one with a Status)
                if reply.status >= 300:
                    remaining.failures.append(f"{resource_type.plural}/{record.key.name}: {reply.status}")
            remaining.objects[f"{resource_type.plural}.{resource_type.group}"] += 1  # kube's "configmaps."
            for finalizer in meta.get("finalizers") or ():
                remaining.finalizers[finalizer] += 1
    return remaining


# kube's namespace deleter conditions: type -> (reason when True, reason and message when False)
_SETTLED = {
    "NamespaceDeletionDiscoveryFailure": ("DiscoveryFailed", "ResourcesDiscovered",
                                          "All resources successfully discovered"),
    "NamespaceDeletionGroupVersionParsingFailure": ("GroupVersionParsingFailed", "ParsedGroupVersions",
                                                    "All legacy kube types successfully parsed"),
    "NamespaceDeletionContentFailure": ("ContentDeletionFailed", "ContentDeleted",
                                        "All content successfully deleted, may be waiting on finalization"),
    "NamespaceContentRemaining": ("SomeResourcesRemain", "ContentRemoved", "All content successfully removed"),
    "NamespaceFinalizersRemaining": ("SomeFinalizersRemain", "ContentHasNoFinalizers",
                                     "All content-preserving finalizers finished"),
}


def _condition(kind: str, problem: str, now: str) -> dict[str, Any]:
    """A namespace deletion condition: True with ``problem`` as its message, or False with kube's message."""
    true_reason, false_reason, false_message = _SETTLED[kind]
    return {"type": kind, "status": "True" if problem else "False",
            "reason": true_reason if problem else false_reason, "message": problem or false_message,
            "lastTransitionTime": now}


async def report(api: InProcessClient, *, cluster: str, namespace: dict[str, Any], remaining: Remaining) -> None:
    """Write the deletion conditions to the namespace's status when they change."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    content = ", ".join(f"{k} has {v} resource instances" for k, v in sorted(remaining.objects.items()))
    finalizers = ", ".join(f"{k} in {v} resource instances" for k, v in sorted(remaining.finalizers.items()))
    failures = (f"Failed to delete all resource types, {len(remaining.failures)} remaining: "
                + ", ".join(remaining.failures)) if remaining.failures else ""
    wanted = [
        _condition("NamespaceDeletionDiscoveryFailure", "", now),
        _condition("NamespaceDeletionGroupVersionParsingFailure", "", now),
        _condition("NamespaceDeletionContentFailure", failures, now),
        _condition("NamespaceContentRemaining", f"Some resources are remaining: {content}" if content else "", now),
        _condition("NamespaceFinalizersRemaining",
                   f"Some content in the namespace has finalizers remaining: {finalizers}" if finalizers else "",
                   now),
    ]
    status = dict(namespace.get("status") or {})
    current = {c.get("type"): c for c in status.get("conditions") or []}
    conditions = []
    for cond in wanted:
        old = current.get(cond["type"])
        if old is not None and all(old.get(k) == cond[k] for k in ("status", "reason", "message")):
            conditions.append(old)
        else:
            conditions.append(cond)
    if conditions == status.get("conditions"):
        return
    status["conditions"] = conditions
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": namespace["metadata"], "status": status,
            "spec": namespace.get("spec") or {}}
    name = namespace["metadata"]["name"]
    await api.request("PUT", f"{_cluster_path(cluster)}/api/v1/namespaces/{name}/status", body=body)
