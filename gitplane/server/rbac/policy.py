"""Writing kube's bootstrap policy into logical clusters, as kube-apiserver's ``rbac/bootstrap-roles``
post-start hook does: every ClusterRole and ClusterRoleBinding of :mod:`gitplane.server.rbac.bootstrap` that a
cluster lacks is created there; one that exists is reconciled unless annotated
``rbac.authorization.kubernetes.io/autoupdate: "false"``: a role gets back the permissions it lost (the missing
atomic rules appended), its aggregation rule and the bootstrap labels and annotations; a binding gets back its
subjects. Nothing is ever removed. Aggregated roles are written without rules; the aggregation controller
fills them.

The policy is written into the root logical cluster, with kcp's root-only roles and bindings; the bootstrap
policy also applies to every cluster through the index (:mod:`gitplane.server.rbac.index`), as kcp's does from
``system:admin``, without objects in each workspace.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from typing import Any
from urllib.parse import quote

from gitplane.server.inprocess import InProcessClient
from gitplane.server.rbac import bootstrap
from gitplane.server.rbac.rules import Rule, covers

log = logging.getLogger(__name__)

CONTROLLER_NAME = "rbac-bootstrap-policy"
RETRY_SECONDS = 1.0
AUTOUPDATE = "rbac.authorization.kubernetes.io/autoupdate"


def reconciled(existing: dict[str, Any], expected: dict[str, Any]) -> dict[str, Any] | None:
    """``existing`` with what it lacks of ``expected``, or None when it lacks nothing (or opts out)."""
    meta = existing.get("metadata") or {}
    if (meta.get("annotations") or {}).get(AUTOUPDATE) == "false":
        return None
    result = copy.deepcopy(existing)
    result_meta = result.setdefault("metadata", {})
    for field in ("labels", "annotations"):
        wanted = expected["metadata"].get(field) or {}
        current = result_meta.get(field) or {}
        if any(current.get(k) != v for k, v in wanted.items()):
            result_meta[field] = {**current, **wanted}
    if expected.get("kind") == "ClusterRole":
        if "aggregationRule" in expected:
            if result.get("aggregationRule") != expected["aggregationRule"]:
                result["aggregationRule"] = copy.deepcopy(expected["aggregationRule"])
        else:
            held = [Rule.from_dict(r) for r in result.get("rules") or []]
            _, missing = covers(held, [Rule.from_dict(r) for r in expected.get("rules") or []])
            if missing:
                result["rules"] = [*(result.get("rules") or []), *(r.to_dict() for r in missing)]
    else:
        subjects = list(result.get("subjects") or [])
        for subject in expected.get("subjects") or []:
            if subject not in subjects:
                subjects.append(copy.deepcopy(subject))
        result["subjects"] = subjects
    return None if result == existing else result


async def ensure(api: InProcessClient, cluster: str) -> int:
    """Create what ``cluster`` lacks and reconcile what it has; returns how many objects were written."""
    written = 0
    base = f"/clusters/{cluster}/apis/rbac.authorization.k8s.io/v1"
    root = cluster == "root"
    for resource, objects in (
            ("clusterroles", [*bootstrap.cluster_roles(), *(bootstrap.root_cluster_roles() if root else ())]),
            ("clusterrolebindings", [*bootstrap.cluster_role_bindings(),
                                     *(bootstrap.root_cluster_role_bindings() if root else ())])):
        for obj in objects:
            reply = await api.request("POST", f"{base}/{resource}", body=obj)
            if reply.status == 201:
                written += 1
                continue
            if reply.status != 409:
                reply.raise_for_status()
            path = f"{base}/{resource}/{quote(obj['metadata']['name'], safe='')}"
            current = await api.request("GET", path)
            current.raise_for_status()
            update = reconciled(current.json(), obj)
            if update is not None:
                (await api.request("PUT", path, body=update)).raise_for_status()
                written += 1
    if written:
        log.info("Bootstrap RBAC policy: wrote %d objects in logical cluster %s", written, cluster)
    return written


class BootstrapPolicy:
    def __init__(self, api: InProcessClient, clusters: tuple[str, ...] = ("root",)) -> None:
        self.api = api
        self.clusters = clusters
        self.done = asyncio.Event()

    async def run(self) -> None:
        """Ensure the policy in every cluster (retrying failures), then idle until cancelled."""
        pending = list(self.clusters)
        while pending:
            try:
                await ensure(self.api, pending[0])
                pending.pop(0)
            except Exception:
                log.exception("%s: writing the bootstrap policy into %s failed (retrying)", CONTROLLER_NAME,
                              pending[0])
                await asyncio.sleep(RETRY_SECONDS)
        self.done.set()
        await asyncio.Event().wait()
