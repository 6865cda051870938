"""Step 1: a Workspace not yet scheduled gets its logical cluster (kcp's scheduling, on this one shard).

Admission chose the cluster's name at create (``internal.tenancy.kcp.io/cluster``, with ``spec.cluster``,
``spec.URL`` and the ``core.kcp.io/logicalcluster`` finalizer), so that a crash or a conflict never makes two
clusters for one Workspace; a Workspace that lacks any of them (a ``system:masters`` create that set its own) is
completed here first. The LogicalCluster is created inside the new cluster with the Workspace as owner, the
canonical path (``<parent path>:<name>``), the qualified type and the initializers of the type and every type
it extends (and their terminators, for its deletion); its admission starts it ``Initializing`` (the
logical-cluster controller makes it ``Ready``). Then the Workspace is ``WorkspaceScheduled`` and shows its
cluster's phase (:mod:`.reconcile_phase`), in one status write. A cluster of that name that another owner's
LogicalCluster holds leaves the Workspace ``Unschedulable``: ``spec.cluster`` never changes once set.
"""

from __future__ import annotations

from gitplane.server.controllers.workspace import conditions, reconcile_phase
from gitplane.server.controllers.workspace.api import Obj, Workspaces
from gitplane.server.tenancy import logicalclusters as lc
from gitplane.server.tenancy import workspacetypes as wst

SCHEDULED = "WorkspaceScheduled"
LOOK_AGAIN_SECONDS = 10.0
"""When a Workspace cannot be scheduled (its type is unusable, its cluster's name is taken)."""


def is_scheduled(ws: Obj) -> bool:
    return any(c.get("type") == SCHEDULED and c.get("status") == "True"
               for c in (ws.get("status") or {}).get("conditions") or [] if isinstance(c, dict))


async def reconcile(workspaces: Workspaces, cluster: str, ws: Obj) -> float | None:
    meta = ws["metadata"]
    parent_path = await workspaces.path_of(cluster)
    path = f"{parent_path}:{meta['name']}"
    ws = await _complete(workspaces, cluster, ws, path)
    meta = ws["metadata"]
    name = ws["spec"]["cluster"]
    ref = wst.Reference.of((ws.get("spec") or {}).get("type")) or wst.Reference("universal", "root")
    try:
        wt = await workspaces.types.resolve(parent_path, ref)
        aliases = await workspaces.types.aliases(wt)
        initializers, terminators = wst.initializers(aliases), wst.terminators(aliases)
    except wst.UnusableType as exc:
        return await _unschedulable(workspaces, cluster, ws, str(exc))

    annotations = meta.get("annotations") or {}
    own = {"apiVersion": "tenancy.kcp.io/v1alpha1", "resource": "workspaces", "name": meta["name"],
           "cluster": cluster, "uid": meta["uid"]}
    lc_annotations = {lc.PATH_ANNOTATION: path, lc.TYPE_ANNOTATION: wt.qualified}
    for copied in (lc.OWNER_ANNOTATION, lc.REQUIRED_GROUPS_ANNOTATION):
        if copied in annotations:
            lc_annotations[copied] = annotations[copied]
    logical = await workspaces.create_logical_cluster(name, {
        "apiVersion": lc.API_VERSION, "kind": "LogicalCluster",
        "metadata": {"name": lc.NAME, "annotations": lc_annotations, "finalizers": [lc.FINALIZER]},
        "spec": {"owner": own, "initializers": initializers, "terminators": terminators}})
    if logical is None:
        logical = await workspaces.logical_cluster(name)
        if logical is None:  # deleted in between: look again
            return 0.0
    if ((logical.get("spec") or {}).get("owner") or {}).get("uid") != meta["uid"]:
        return await _unschedulable(workspaces, cluster, ws, f"the logical cluster {name} belongs to another "
                                                             "workspace")
    read = ws.get("status") or {}
    ws["status"] = {**read, "conditions": conditions.put(ws, SCHEDULED, "True")}
    await reconcile_phase.show(workspaces, cluster, ws, logical, read)
    return None


async def _complete(workspaces: Workspaces, cluster: str, ws: Obj, path: str) -> Obj:
    """``ws`` with its cluster's name, ``spec.cluster``, ``spec.URL`` and the finalizer (written if missing)."""
    meta = ws["metadata"]
    annotations = meta.setdefault("annotations", {})
    spec = ws.setdefault("spec", {})
    name = spec.get("cluster") or annotations.get(lc.CLUSTER_ANNOTATION) or lc.new_name()
    finalizers = list(meta.get("finalizers") or [])
    wanted_spec = {**spec, "cluster": name, "URL": spec.get("URL") or workspaces.url(path)}
    if annotations.get(lc.CLUSTER_ANNOTATION) == name and lc.FINALIZER in finalizers and wanted_spec == spec:
        return ws
    annotations[lc.CLUSTER_ANNOTATION] = name
    if lc.FINALIZER not in finalizers:
        meta["finalizers"] = [*finalizers, lc.FINALIZER]
    ws["spec"] = wanted_spec
    return await workspaces.update(cluster, ws)


async def _unschedulable(workspaces: Workspaces, cluster: str, ws: Obj, message: str) -> float:
    read = ws.get("status") or {}
    ws["status"] = {**read, "phase": "Scheduling",
                    "conditions": conditions.put(ws, SCHEDULED, "False", "Unschedulable", message)}
    if ws["status"] != read:
        await workspaces.update_status(cluster, ws)
    return LOOK_AGAIN_SECONDS
