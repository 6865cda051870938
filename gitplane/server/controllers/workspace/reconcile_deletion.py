"""Step 3: a deleted Workspace takes its logical cluster with it.

The LogicalCluster is deleted (its controller waits for the type's terminators, ``Terminating``, then deletes
the cluster's content, child workspaces first, ``Deleting``; phase and terminators are mirrored here); once it
is gone the ``core.kcp.io/logicalcluster`` finalizer is removed and the Workspace goes. A Workspace that never
got a cluster goes at once.
"""

from __future__ import annotations

from gitplane.server.controllers.workspace.api import Obj, Workspaces
from gitplane.server.tenancy import logicalclusters as lc

LOOK_AGAIN_SECONDS = 5.0
"""A safety net: the LogicalCluster's own events bring the Workspace back sooner."""


async def reconcile(workspaces: Workspaces, cluster: str, ws: Obj) -> float | None:
    meta = ws["metadata"]
    if lc.FINALIZER not in (meta.get("finalizers") or []):
        return None
    name = (ws.get("spec") or {}).get("cluster") or (meta.get("annotations") or {}).get(lc.CLUSTER_ANNOTATION)
    if not isinstance(name, str):
        name = ""
    logical = await workspaces.logical_cluster(name) if name else None
    owner = ((logical or {}).get("spec") or {}).get("owner") or {}
    if logical is not None and owner.get("uid") == meta["uid"]:
        if not (logical.get("metadata") or {}).get("deletionTimestamp"):
            await workspaces.delete_logical_cluster(name)
        own = logical.get("status") or {}
        phase = own.get("phase") if own.get("phase") in ("Terminating", "Deleting") else "Deleting"
        wanted = {**(ws.get("status") or {}), "phase": phase}
        if own.get("terminators"):
            wanted["terminators"] = own["terminators"]
        else:
            wanted.pop("terminators", None)
        if wanted != (ws.get("status") or {}):
            ws["status"] = wanted
            await workspaces.update_status(cluster, ws)
        return LOOK_AGAIN_SECONDS
    meta["finalizers"] = [f for f in meta.get("finalizers") or [] if f != lc.FINALIZER]
    await workspaces.update(cluster, ws)
    return None
