"""Step 2: a CRD being deleted takes its objects with it.

As kube's CRD finalizer: the ``Terminating`` condition says what is happening (``InstanceDeletionInProgress``),
every object of the CRD is deleted through the API (in every namespace, at the storage version; objects held by
their own finalizers are marked and waited for), and once none is left the condition says so
(``InstanceDeletionCompleted``) and the ``customresourcecleanup.apiextensions.k8s.io`` finalizer is removed,
which lets the CRD go.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gitplane.api import builtin_types
from gitplane.server.customresources.served import IDENTITY
from gitplane.server.inprocess import InProcessClient
from gitplane.server.registry.crd import CLEANUP_FINALIZER, TERMINATING, storage_version
from gitplane.storage import interface as storage

CRD = builtin_types.CUSTOMRESOURCEDEFINITIONS


def holds_cleanup(crd: Mapping[str, Any]) -> bool:
    meta = crd.get("metadata") or {}
    return bool(meta.get("deletionTimestamp")) and CLEANUP_FINALIZER in (meta.get("finalizers") or [])


async def delete_objects(store: storage.Store, api: InProcessClient, *, cluster: str, crd: Mapping[str, Any]) -> int:
    """Delete the CRD's objects; how many remain (held by finalizers, or created meanwhile)."""
    spec = crd.get("spec") or {}
    names = (crd.get("status") or {}).get("acceptedNames") or {}
    group, plural = str(spec.get("group") or ""), str(names.get("plural") or "")
    version = storage_version(crd) or ""
    if not (group and plural and version):
        return 0
    page = await store.list(storage.Prefix(group, plural, IDENTITY, cluster))
    remaining = 0
    for record in page.records:
        key = record.key
        namespace = f"/namespaces/{key.namespace}" if key.namespace else ""
        reply = await api.request(
            "DELETE", f"/clusters/{cluster}/apis/{group}/{version}{namespace}/{plural}/{key.name}")
        if reply.status == 404:
            continue
        reply.raise_for_status()
        if reply.status == 200 and reply.json().get("kind") != "Status":
            remaining += 1  # marked: its own finalizers hold it
    return remaining


async def report(api: InProcessClient, *, cluster: str, crd: dict[str, Any], remaining: int, now: str) -> None:
    """Set the Terminating condition to the progress made."""
    if remaining:
        reason, message = "InstanceDeletionInProgress", "CustomResource deletion is in progress"
    else:
        reason, message = "InstanceDeletionCompleted", "removed all instances"
    status = dict(crd.get("status") or {})
    conditions = [c for c in status.get("conditions") or [] if isinstance(c, Mapping)]
    current = next((c for c in conditions if c.get("type") == TERMINATING), None)
    if current is not None and (current.get("reason"), current.get("message")) == (reason, message):
        return
    condition = {"type": TERMINATING, "status": "True",
                 "lastTransitionTime": (current or {}).get("lastTransitionTime", now), "reason": reason,
                 "message": message}
    status["conditions"] = [*(c for c in conditions if c.get("type") != TERMINATING), condition]
    crd["status"] = status
    name = (crd.get("metadata") or {}).get("name", "")
    reply = await api.request("PUT", f"/clusters/{cluster}{CRD.url_path(name=name)}/status", body=crd)
    if reply.status != 404:
        reply.raise_for_status()
        crd.update(reply.json())


async def release(api: InProcessClient, *, cluster: str, crd: dict[str, Any]) -> None:
    """Remove the cleanup finalizer (the CRD goes unless other finalizers hold it)."""
    meta = dict(crd.get("metadata") or {})
    meta["finalizers"] = [f for f in meta.get("finalizers") or [] if f != CLEANUP_FINALIZER]
    crd["metadata"] = meta
    reply = await api.request("PUT", f"/clusters/{cluster}{CRD.url_path(name=meta.get('name', ''))}", body=crd)
    if reply.status != 404:
        reply.raise_for_status()
