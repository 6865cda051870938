"""Pipeline stage 5: may this user enter this logical cluster at all (kcp's workspace content authorizer)?

Asked after impersonation (so the impersonated user counts) and before the RBAC of the request itself, in the
target cluster:

* ``system:masters`` enters every cluster, existing or not (the system's own clients create a cluster's
  LogicalCluster from outside it);
* a cluster without its LogicalCluster, or one in phase ``Scheduling`` or ``Unavailable``, is refused;
* a user outside the cluster's required groups (``authorization.kcp.io/required-groups`` on its LogicalCluster,
  ``a,b;c``: in a and b, or in c) is refused;
* a ServiceAccount of the cluster itself enters it;
* anyone else needs verb ``access`` on the non-resource URL ``/`` in the cluster (kcp's ClusterRole
  ``system:kcp:workspace:access``; ``cluster-admin``, which the workspace's creator holds through
  ``workspace-admin``, implies it).

Requests that name no cluster (``/healthz``, ``/version`` at the server's base URL) are not workspace content
and skip this stage. The refusal is :func:`~gitplane.server.stages.cluster.not_accessible`, the same 403 as
for a path that resolves to nothing.
"""

from __future__ import annotations

from typing import Protocol

from gitplane.server.request import Request
from gitplane.server.requestinfo import RequestInfo
from gitplane.server.stages.authz import Attributes, Authorization, Decision
from gitplane.server.stages.cluster import home_cluster, not_accessible
from gitplane.server.tenancy.index import ROOT, Entry

ACCESS_VERB = "access"
_UNAVAILABLE = frozenset({"Scheduling", "Unavailable"})


class ClusterEntries(Protocol):
    def entry(self, name: str) -> Entry | None: ...


def access_info(cluster: str) -> RequestInfo:
    """The request authorization asks for to enter ``cluster``: ``access`` on ``/``."""
    return RequestInfo(cluster, True, "/", ACCESS_VERB, False)


class WorkspaceAccess:
    def __init__(self, index: ClusterEntries, authorization: Authorization) -> None:
        self._index = index
        self._authorization = authorization

    async def __call__(self, request: Request) -> None:
        info = request.require_info()
        if not info.explicit_cluster and not info.is_resource:
            return
        user = request.require_user()
        if "system:masters" in user.groups:
            return
        cluster = request.cluster
        entry = self._index.entry(cluster)
        if (entry is None and cluster != ROOT) or (entry is not None and entry.phase in _UNAVAILABLE):
            raise not_accessible(request)
        if entry is not None and entry.required_groups and not any(
                all(group in user.groups for group in groups) for groups in entry.required_groups):
            raise not_accessible(request)
        if home_cluster(user) == cluster:
            return
        decision, _ = self._authorization.decide(Attributes(user, cluster, access_info(cluster)))
        if decision is not Decision.ALLOW:
            raise not_accessible(request)
