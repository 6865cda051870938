"""The root logical cluster at start-up: its LogicalCluster and the built-in WorkspaceTypes.

kcp's root cluster exists from the start and has no Workspace: its LogicalCluster ``cluster`` is written at
bootstrap (path ``root``, type ``root:root``) and is ``Ready`` at once. The built-in WorkspaceTypes (root,
universal, organization, team, from :mod:`gitplane.server.systemcrds`) are created in root when missing and
never overwritten, so an administrator's changes to them stay (kcp's ``bootstrap.kcp.io/create-only``). Root's
RBAC (entering it, using the built-in types) is part of the bootstrap policy (:mod:`gitplane.server.rbac`).
"""

from __future__ import annotations

from gitplane.server.inprocess import InProcessClient
from gitplane.server.systemcrds.served import read_yaml
from gitplane.server.tenancy import logicalclusters as lc
from gitplane.server.tenancy.index import ROOT

WORKSPACE_TYPES = "workspacetypes.yaml"


def root_logical_cluster() -> dict[str, object]:
    return {"apiVersion": lc.API_VERSION, "kind": "LogicalCluster",
            "metadata": {"name": lc.NAME, "annotations": {lc.PATH_ANNOTATION: ROOT,
                                                          lc.TYPE_ANNOTATION: f"{ROOT}:{ROOT}"}},
            "spec": {}}


async def bootstrap_root(api: InProcessClient) -> None:
    """Create what root lacks (idempotent: a restart finds everything and writes nothing)."""
    await api.create_unless_present(f"/clusters/{ROOT}/apis/{lc.API_VERSION}/{lc.RESOURCE}", root_logical_cluster())
    current = await api.request("GET", lc.path(ROOT))
    current.raise_for_status()
    obj = current.json()
    if (obj.get("status") or {}).get("phase") != "Ready":
        obj["status"] = {**(obj.get("status") or {}), "phase": "Ready"}
        (await api.request("PUT", lc.path(ROOT) + "/status", body=obj)).raise_for_status()
    for workspace_type in read_yaml(WORKSPACE_TYPES):
        await api.create_unless_present(f"/clusters/{ROOT}/apis/tenancy.kcp.io/v1alpha1/workspacetypes",
                                        workspace_type)
