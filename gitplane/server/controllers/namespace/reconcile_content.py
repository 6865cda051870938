"""Step 1: delete the content of a terminating namespace, and say in its status what remains.

Every namespaced type of the cluster's catalog is emptied (types that share storage, such as the two views of
Events, once). Deletion goes through the API, so objects held by finalizers are only marked; they are counted
as remaining until their finalizers are gone. Conditions set on the namespace: ``NamespaceContentRemaining``
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
                if reply.status in (200, 404):
                    continue  # gone
                if reply.status != 202:
                    remaining.failures.append(f"{resource_type.plural}/{record.key.name}: {reply.status}")
            label = f"{resource_type.plural}.{resource_type.group}" if resource_type.group else resource_type.plural
            remaining.objects[label] += 1
            for finalizer in meta.get("finalizers") or ():
                remaining.finalizers[finalizer] += 1
    return remaining


def _condition(kind: str, active: bool, reasons: tuple[str, str], message: str, now: str) -> dict[str, Any]:
    """A namespace deletion condition; ``reasons`` are kube's (when True, when False)."""
    return {"type": kind, "status": "True" if active else "False", "reason": reasons[0] if active else reasons[1],
            "message": message if active else "", "lastTransitionTime": now}


async def report(api: InProcessClient, *, cluster: str, namespace: dict[str, Any], remaining: Remaining) -> None:
    """Write the deletion conditions to the namespace's status when they change."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    content = ", ".join(f"{k} has {v} resource instances" for k, v in sorted(remaining.objects.items()))
    finalizers = ", ".join(f"{k} in {v} resource instances" for k, v in sorted(remaining.finalizers.items()))
    wanted = [
        _condition("NamespaceDeletionContentFailure", bool(remaining.failures),
                   ("ContentDeletionFailed", "ContentDeleted"), "; ".join(remaining.failures), now),
        _condition("NamespaceContentRemaining", bool(remaining.objects), ("SomeResourcesRemain", "ContentRemoved"),
                   f"Some resources are remaining: {content}", now),
        _condition("NamespaceFinalizersRemaining", bool(remaining.finalizers),
                   ("SomeFinalizersRemain", "ContentHasNoFinalizers"),
                   f"Some content in the namespace has finalizers remaining: {finalizers}", now),
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
