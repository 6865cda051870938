"""Pipeline stage 3: resolve the request's cluster path to a logical cluster.

Paths are colon-separated workspace paths (``root:org-a:team-a``); the logical cluster is what objects are
stored under. Today only ``root`` exists; the workspace index of the next issue plugs in here through
:class:`ClusterIndex`. An unknown path is answered 403, never 404, so that a tenant cannot probe which
workspaces exist.
"""

from __future__ import annotations

from typing import Protocol

from gitplane.api import errors
from gitplane.server.request import Request


class ClusterIndex(Protocol):
    def resolve(self, path: str) -> str | None:
        """The logical cluster name of a workspace path, or None if there is none."""
        ...


class RootOnly:
    """The cluster index of a server that has only the root logical cluster."""

    def resolve(self, path: str) -> str | None:
        return "root" if path == "root" else None


class ClusterResolver:
    def __init__(self, index: ClusterIndex) -> None:
        self._index = index

    async def __call__(self, request: Request) -> None:
        info = request.require_info()
        cluster = self._index.resolve(info.cluster_path)
        if cluster is None:
            user = request.require_user().name
            raise errors.forbidden_error(
                f'forbidden: User "{user}" cannot {info.verb} path "{request.raw_path.split("?", 1)[0]}": '
                f'workspace "{info.cluster_path}" is not accessible')
        request.cluster = cluster
