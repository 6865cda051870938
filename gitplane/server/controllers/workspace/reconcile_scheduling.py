"""Step 1: a Workspace without a logical cluster gets one (kcp's scheduling, on this one shard).

The name is chosen first and recorded on the Workspace (``internal.tenancy.kcp.io/cluster``, by admission on
create, else here), with the ``core.kcp.io/logicalcluster`` finalizer, so that a crash or a conflict never
makes two clusters for one Workspace. The LogicalCluster is created inside the new cluster with the Workspace
as owner, the canonical path (``<parent path>:<name>``), the qualified type and the initializers of the type
and every type it extends (and their terminators, for its deletion); it starts ``Initializing`` (the
logical-cluster controller makes it ``Ready``). A name some other owner's LogicalCluster already has is given
up for a new one. Then ``spec.cluster`` and ``spec.URL`` are set and the Workspace is ``Initializing`` with
``WorkspaceScheduled``.
"""

from __future__ import annotations

from gitplane.server.controllers.workspace import conditions
from gitplane.server.controllers.workspace.api import Obj, Workspaces
from gitplane.server.controllers.workspace.reconcile_phase import PHASE_LABEL
from gitplane.server.tenancy import logicalclusters as lc
from gitplane.server.tenancy import workspacetypes as wst


async def reconcile(workspaces: Workspaces, cluster: str, ws: Obj) -> float | None:
    meta = ws["metadata"]
    annotations = meta.setdefault("annotations", {})
    name = annotations.get(lc.CLUSTER_ANNOTATION)
    finalizers = list(meta.get("finalizers") or [])
    if not name or lc.FINALIZER not in finalizers:
        annotations[lc.CLUSTER_ANNOTATION] = name or lc.new_name()
        if lc.FINALIZER not in finalizers:
            meta["finalizers"] = [*finalizers, lc.FINALIZER]
        ws = await workspaces.update(cluster, ws)
        meta = ws["metadata"]
        name = meta["annotations"][lc.CLUSTER_ANNOTATION]

    parent_path = await workspaces.path_of(cluster)
    path = f"{parent_path}:{meta['name']}"
    ref = wst.Reference.of((ws.get("spec") or {}).get("type")) or wst.Reference("universal", "root")
    try:
        wt = await workspaces.types.resolve(parent_path, ref)
        aliases = await workspaces.types.aliases(wt)
        initializers, terminators = wst.initializers(aliases), wst.terminators(aliases)
    except wst.UnusableType as exc:
        return await _unschedulable(workspaces, cluster, ws, str(exc))

    own = {"apiVersion": "tenancy.kcp.io/v1alpha1", "resource": "workspaces", "name": meta["name"],
           "cluster": cluster, "uid": meta["uid"]}
    lc_annotations = {lc.PATH_ANNOTATION: path, lc.TYPE_ANNOTATION: wt.qualified}
    for copied in (lc.OWNER_ANNOTATION, lc.REQUIRED_GROUPS_ANNOTATION):
        if copied in annotations:
            lc_annotations[copied] = annotations[copied]
    created = await workspaces.create_logical_cluster(name, {
        "apiVersion": lc.API_VERSION, "kind": "LogicalCluster",
        "metadata": {"name": lc.NAME, "annotations": lc_annotations, "finalizers": [lc.FINALIZER]},
        "spec": {"owner": own, "initializers": initializers, "terminators": terminators}})
    logical = created or await workspaces.logical_cluster(name)
    if logical is None:  # deleted in between: look again
        return 0.0
    if ((logical.get("spec") or {}).get("owner") or {}).get("uid") != meta["uid"]:
        del annotations[lc.CLUSTER_ANNOTATION]  # another owner's cluster: choose another name
        await workspaces.update(cluster, ws)
        return None
    status = logical.get("status") or {}
    if status.get("phase") in (None, "", "Scheduling"):
        logical["status"] = {**status, "phase": "Initializing",
                             "initializers": initializers}
        await workspaces.update_logical_cluster_status(name, logical)

    ws["spec"] = {**(ws.get("spec") or {}), "cluster": name, "URL": workspaces.url(path)}
    ws["metadata"]["labels"] = {**(ws["metadata"].get("labels") or {}), PHASE_LABEL: "Initializing"}
    ws = await workspaces.update(cluster, ws)
    ws["status"] = {**(ws.get("status") or {}), "phase": "Initializing",
                    "conditions": conditions.put(ws, "WorkspaceScheduled", "True")}
    await workspaces.update_status(cluster, ws)
    return None


async def _unschedulable(workspaces: Workspaces, cluster: str, ws: Obj, message: str) -> float:
    ws["status"] = {**(ws.get("status") or {}), "phase": "Scheduling",
                    "conditions": conditions.put(ws, "WorkspaceScheduled", "False", "Unschedulable", message)}
    await workspaces.update_status(cluster, ws)
    return 10.0
