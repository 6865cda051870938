"""Step 1: a deleted logical cluster loses all its content, then its LogicalCluster goes.

While the terminators of its type (``spec.terminators``, copied to ``status.terminators``) remain, the phase is
``Terminating`` and the content is still served; each terminator removes itself from the status. Then the
phase is ``Deleting`` and the content goes.

Child workspaces go first, through the API, so that each deletes its own subtree the same way (their
finalizers hold them until their clusters are gone); the cluster is requeued until none is left. Then every
object of every type the cluster serves (built-in, system and its own custom types) is removed from the store
directly: nothing is left in the cluster to honour a finalizer for, and a store delete per object is the
cheapest way to empty it. Last, the ``core.kcp.io/logicalcluster`` finalizer comes off and the LogicalCluster
is gone.
"""

from __future__ import annotations

import contextlib
from typing import Any

import orjson

from gitplane.server.catalog import Catalog
from gitplane.server.inprocess import InProcessClient
from gitplane.server.tenancy import logicalclusters as lc
from gitplane.storage import interface as storage

CHILDREN = ("tenancy.kcp.io", "workspaces")
WAIT_FOR_CHILDREN_SECONDS = 0.5


def content_prefixes(catalog: Catalog, cluster: str) -> list[storage.Prefix]:
    """One prefix per stored type of the cluster (a type served in two groups is stored once)."""
    seen: dict[str, storage.Prefix] = {}
    for t in catalog.types:
        group = t.storage_group if t.storage_group is not None else t.group
        if (group, t.plural) == (lc.GROUP, lc.RESOURCE):
            continue
        prefix = storage.Prefix(group, t.plural, t.storage_identity, cluster)
        seen.setdefault(prefix.encode(), prefix)
    return list(seen.values())


async def reconcile(api: InProcessClient, store: storage.Store, catalog: Catalog, cluster: str,
                    logical: dict[str, Any]) -> float | None:
    meta = logical["metadata"]
    if lc.FINALIZER not in (meta.get("finalizers") or []):
        return None
    status = logical.get("status") or {}
    phase = status.get("phase")
    if phase not in ("Terminating", "Deleting"):
        terminators = list((logical.get("spec") or {}).get("terminators") or [])
        logical["status"] = {**status, "phase": "Terminating" if terminators else "Deleting",
                             "terminators": terminators}
        if not terminators:
            logical["status"].pop("terminators")
        reply = await api.request("PUT", lc.path(cluster) + "/status", body=logical)
        reply.raise_for_status()
        return None  # the write's own event brings the cluster back
    if phase == "Terminating":
        if status.get("terminators"):
            return None  # each terminator removes itself; its write brings the cluster back
        logical["status"] = {**status, "phase": "Deleting"}
        logical["status"].pop("terminators", None)
        reply = await api.request("PUT", lc.path(cluster) + "/status", body=logical)
        reply.raise_for_status()
        logical = reply.json()
    children = await store.list(storage.Prefix(*CHILDREN, "", cluster))
    if children.records:
        for record in children.records:
            if not (orjson.loads(record.value).get("metadata") or {}).get("deletionTimestamp"):
                reply = await api.request("DELETE", f"/clusters/{cluster}/apis/tenancy.kcp.io/v1alpha1/workspaces/"
                                                    f"{record.key.name}")
                if reply.status != 404:
                    reply.raise_for_status()
        return WAIT_FOR_CHILDREN_SECONDS
    for prefix in content_prefixes(catalog, cluster):
        for record in (await store.list(prefix)).records:
            with contextlib.suppress(storage.NotFound):
                await store.delete(record.key)
    logical["metadata"]["finalizers"] = [f for f in logical["metadata"].get("finalizers") or []
                                         if f != lc.FINALIZER]
    reply = await api.request("PUT", lc.path(cluster), body=logical)
    if reply.status != 404:
        reply.raise_for_status()
    return None
