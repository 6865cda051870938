"""Step 2: the owner of a new workspace is its ``cluster-admin``, through the ClusterRoleBinding
``workspace-admin`` (kcp's logicalcluster controller).

The owner is the user recorded in ``experimental.tenancy.kcp.io/owner`` (the Workspace's creator; none for
``system:masters``, who need no binding). An existing binding is left as it is: the workspace's admins may
change it.
"""

from __future__ import annotations

from typing import Any

import orjson

from gitplane.server.inprocess import InProcessClient
from gitplane.server.tenancy import logicalclusters as lc

BINDING = "workspace-admin"
RBAC = "rbac.authorization.k8s.io"


def binding(owner: str) -> dict[str, Any]:
    return {"apiVersion": f"{RBAC}/v1", "kind": "ClusterRoleBinding", "metadata": {"name": BINDING},
            "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": "cluster-admin"},
            "subjects": [{"apiGroup": RBAC, "kind": "User", "name": owner}]}


async def reconcile(api: InProcessClient, cluster: str, logical: dict[str, Any]) -> None:
    raw = ((logical.get("metadata") or {}).get("annotations") or {}).get(lc.OWNER_ANNOTATION)
    if not raw:
        return
    try:
        owner = orjson.loads(raw).get("username")
    except (orjson.JSONDecodeError, AttributeError):
        return
    if not isinstance(owner, str) or not owner:
        return
    await api.create_unless_present(f"/clusters/{cluster}/apis/{RBAC}/v1/clusterrolebindings", binding(owner))
