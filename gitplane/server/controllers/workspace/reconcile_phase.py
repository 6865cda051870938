"""Step 2: the Workspace shows its logical cluster's phase and initializers.

``status.phase`` and ``status.initializers`` mirror the LogicalCluster; ``WorkspaceInitialized`` is True once no
initializer is left (False with reason ``InitializerExists`` before); the label ``tenancy.kcp.io/phase`` follows
the phase. A LogicalCluster that disappeared makes the Workspace ``Unavailable`` (reason
``WorkspaceDisappeared``). Nothing is written when nothing changed.
"""

from __future__ import annotations

from gitplane.server.controllers.workspace import conditions
from gitplane.server.controllers.workspace.api import Obj, Workspaces
from gitplane.server.tenancy import logicalclusters as lc


async def reconcile(workspaces: Workspaces, cluster: str, ws: Obj) -> float | None:
    read = ws.get("status") or {}
    await show(workspaces, cluster, ws, await workspaces.logical_cluster(ws["spec"]["cluster"]), read)
    return None


async def show(workspaces: Workspaces, cluster: str, ws: Obj, logical: Obj | None, read: Obj) -> None:
    """Write ``ws``'s status (as given, with its cluster's phase) unless it is the status ``read``."""
    status = dict(ws.get("status") or {})
    if logical is None:
        phase, initializers = "Unavailable", []
        initialized = conditions.put(ws, "WorkspaceInitialized", "False", "WorkspaceDisappeared",
                                     "the logical cluster of the workspace is gone")
    else:
        own = logical.get("status") or {}
        phase = str(own.get("phase") or "Initializing")
        initializers = list(own.get("initializers") or [])
        if initializers:
            initialized = conditions.put(ws, "WorkspaceInitialized", "False", "InitializerExists",
                                         f"Initializers still exist: {initializers}")
        else:
            initialized = conditions.put(ws, "WorkspaceInitialized", "True")
    labels = (ws.get("metadata") or {}).get("labels") or {}
    wanted = {**status, "phase": phase, "conditions": initialized}
    if initializers:
        wanted["initializers"] = initializers
    else:
        wanted.pop("initializers", None)
    if wanted != read or labels.get(lc.PHASE_LABEL) != phase:
        # one write: a /status write carries label changes too
        ws["metadata"]["labels"] = {**labels, lc.PHASE_LABEL: phase}
        ws["status"] = wanted
        await workspaces.update_status(cluster, ws)
