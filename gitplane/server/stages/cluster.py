"""Pipeline stage 3: resolve the request's cluster path to a logical cluster.

Paths are colon-separated workspace paths (``root:org-a:team-a``), names are the opaque logical cluster names
objects are stored under; a URL may use either (:class:`~gitplane.server.tenancy.index.LogicalClusterIndex`).
Whether the cluster exists and the user may enter it is asked after impersonation
(:mod:`gitplane.server.stages.workspace_access`).

Identities scoped to one cluster (ServiceAccounts, whose tokens name their cluster) are strangers in any other:
there they become kcp's foreign identity, ``system:anonymous`` in the groups ``system:authenticated`` and
``system:cluster:<their cluster>``, so that a binding for "default/robot" in one workspace never matches the
robot of another, and one binding can still grant "everyone from cluster X".

``/clusters/*`` lists or watches one type across every logical cluster, for ``system:masters`` only.

Every refusal, here or there, is the same 403 for the same URL, never 404, so that a tenant cannot probe which
workspaces exist.
"""

from __future__ import annotations

from typing import Protocol

from gitplane.api import errors
from gitplane.server.request import Request, UserInfo
from gitplane.server.serviceaccounts.tokens import CLUSTER_EXTRA
from gitplane.server.stages.authn import ANONYMOUS, AUTHENTICATED
from gitplane.server.tenancy.index import WILDCARD


class ClusterIndex(Protocol):
    def resolve(self, path_or_name: str) -> str | None:
        """The logical cluster name of a workspace path or name, or None if there is none."""
        ...


def not_accessible(request: Request) -> errors.APIError:
    """The one refusal of a workspace that does not exist or may not be entered: its body depends only on the
    user, the verb and the URL."""
    info = request.require_info()
    return errors.forbidden_error(
        f'forbidden: User "{request.require_user().name}" cannot {info.verb} path '
        f'"{request.raw_path.split("?", 1)[0]}": workspace access not permitted')


class ClusterResolver:
    def __init__(self, index: ClusterIndex) -> None:
        self._index = index

    async def __call__(self, request: Request) -> None:
        info = request.require_info()
        if info.cluster_path == WILDCARD:
            if not _wildcard_allowed(request):
                raise not_accessible(request)
            request.cluster = WILDCARD
            return
        cluster = self._index.resolve(info.cluster_path)
        if cluster is None:
            raise not_accessible(request)
        request.cluster = cluster
        user = request.require_user()
        if user.extra:
            home = home_cluster(user)
            if home is not None and home != cluster:
                request.user = UserInfo(ANONYMOUS.name, (AUTHENTICATED, f"system:cluster:{home}"))


def _wildcard_allowed(request: Request) -> bool:
    """``/clusters/*``: a list or watch of one type across every logical cluster, for ``system:masters`` only
    (kcp's wildcard requests to a shard), and of every namespace at once."""
    info = request.require_info()
    return ("system:masters" in request.require_user().groups and info.is_resource
            and info.verb in ("list", "watch") and not info.namespace and not info.subresource)


def home_cluster(user: UserInfo) -> str | None:
    """The one cluster an identity belongs to (a ServiceAccount's), or None for a global identity."""
    for key, values in user.extra:
        if key == CLUSTER_EXTRA and len(values) == 1:
            return values[0]
    return None
