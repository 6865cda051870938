"""The workspace controller's reads and writes: writes through the in-process API client (so admission, the
CRDs' schemas and managed fields apply to them as to any client's), reads from the store (the stored bytes are
what a GET serves: the system types are not defaulted on read), which skips a request's whole pipeline.

Workspaces are read and written in their parent cluster, LogicalClusters inside the cluster they make exist;
WorkspaceTypes are read from the store too (:class:`~gitplane.server.tenancy.workspacetypes.Resolver`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from gitplane.server.inprocess import InProcessClient
from gitplane.server.tenancy import logicalclusters as lc
from gitplane.server.tenancy import workspacetypes as wst
from gitplane.server.tenancy.index import LogicalClusterIndex
from gitplane.storage import interface as storage

Obj = dict[str, Any]
WORKSPACES = storage.Prefix("tenancy.kcp.io", "workspaces", "")
WORKSPACES_API = "/apis/tenancy.kcp.io/v1alpha1/workspaces"


class Conflict(Exception):
    """A write lost to a concurrent one: the key is reconciled again."""


class Workspaces:
    def __init__(self, api: InProcessClient, store: storage.Store, index: LogicalClusterIndex,
                 external_url: str, types: wst.Resolver) -> None:
        self.api = api
        self.store = store
        self.index = index
        self.external_url = external_url
        self.types = types

    @staticmethod
    def _path(cluster: str, name: str) -> str:
        return f"/clusters/{cluster}{WORKSPACES_API}/{quote(name, safe='')}"

    async def get(self, cluster: str, name: str) -> Obj | None:
        key = storage.Key(WORKSPACES.group, WORKSPACES.resource, "", cluster, "", name)
        return await storage.get_object(self.store, key)

    async def _put(self, path: str, obj: Obj) -> Obj:
        reply = await self.api.request("PUT", path, body=obj)
        if reply.status == 409:
            raise Conflict(path)
        reply.raise_for_status()
        written: Obj = reply.json()
        return written

    async def update(self, cluster: str, ws: Obj) -> Obj:
        return await self._put(self._path(cluster, ws["metadata"]["name"]), ws)

    async def update_status(self, cluster: str, ws: Obj) -> Obj:
        return await self._put(self._path(cluster, ws["metadata"]["name"]) + "/status", ws)

    async def logical_cluster(self, cluster: str) -> Obj | None:
        return await storage.get_object(self.store, lc.key(cluster))

    async def create_logical_cluster(self, cluster: str, obj: Obj) -> Obj | None:
        """The created LogicalCluster, or None when one exists already."""
        reply = await self.api.request("POST", f"/clusters/{cluster}/apis/{lc.API_VERSION}/{lc.RESOURCE}",
                                       body=obj)
        if reply.status == 409:
            return None
        reply.raise_for_status()
        created: Obj = reply.json()
        return created

    async def delete_logical_cluster(self, cluster: str) -> None:
        reply = await self.api.request("DELETE", lc.path(cluster))
        if reply.status != 404:
            reply.raise_for_status()

    async def path_of(self, cluster: str) -> str:
        """The canonical path of ``cluster``, from its LogicalCluster (the index may not have seen it yet)."""
        logical = await self.logical_cluster(cluster)
        if logical is None:
            return self.index.path_of(cluster) or cluster
        annotations = (logical.get("metadata") or {}).get("annotations") or {}
        path = annotations.get(lc.PATH_ANNOTATION)
        return path if isinstance(path, str) and path else cluster

    def url(self, path: str) -> str:
        return lc.url(self.external_url, path)
