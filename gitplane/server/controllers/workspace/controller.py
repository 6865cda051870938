"""What the workspace controller watches, its queue and its workers.

Two watches, each over every logical cluster (no task per workspace): Workspaces (a change enqueues the
Workspace) and LogicalClusters (a change enqueues the Workspace named as the cluster's owner, so phases
mirror at once). Keys are ``(parent cluster, workspace name)``.
"""

from __future__ import annotations

from typing import Any

import orjson

from gitplane.runtime.queue import WorkQueue
from gitplane.runtime.source import list_and_watch
from gitplane.runtime.workers import run_controller
from gitplane.server.controllers.workspace import reconcile_deletion, reconcile_phase, reconcile_scheduling
from gitplane.server.controllers.workspace.api import WORKSPACES, Conflict, Workspaces
from gitplane.server.inprocess import InProcessClient
from gitplane.server.tenancy import logicalclusters as lc
from gitplane.server.tenancy.index import LogicalClusterIndex
from gitplane.server.tenancy.workspacetypes import Resolver
from gitplane.storage import interface as storage

CONTROLLER_NAME = "workspace"

Key = tuple[str, str]


def owner_of(value: bytes) -> Key | None:
    """The ``(cluster, name)`` of the Workspace that owns a LogicalCluster (None for root's)."""
    try:
        owner = (orjson.loads(value).get("spec") or {}).get("owner") or {}
    except orjson.JSONDecodeError:
        return None
    if owner.get("resource") != "workspaces" or not owner.get("cluster") or not owner.get("name"):
        return None
    return str(owner["cluster"]), str(owner["name"])


class WorkspaceController:
    def __init__(self, *, store: storage.Store, api: InProcessClient, index: LogicalClusterIndex,
                 external_url: str, types: Resolver, workers: int = 2) -> None:
        self.store = store
        self.workspaces = Workspaces(api, store, index, external_url, types)
        self.workers = workers
        self.queue: WorkQueue[Key] = WorkQueue()

    async def run(self) -> None:
        await run_controller(self.queue, self.reconcile, name=CONTROLLER_NAME, workers=self.workers,
                             expected=lambda exc: isinstance(exc, Conflict), sources=[
                                 list_and_watch(self.store, WORKSPACES, name=f"{CONTROLLER_NAME}-workspaces",
                                                on_list=self._listed, on_event=self._workspace_changed),
                                 list_and_watch(self.store, lc.PREFIX, name=f"{CONTROLLER_NAME}-logicalclusters",
                                                on_list=lambda _page: None, on_event=self._cluster_changed)])

    def _listed(self, page: storage.Page) -> None:
        for record in page.records:
            self.queue.add((record.key.cluster, record.key.name))

    def _workspace_changed(self, event: storage.Event) -> None:
        self.queue.add((event.record.key.cluster, event.record.key.name))

    def _cluster_changed(self, event: storage.Event) -> None:
        owner = owner_of(event.record.value)
        if owner is not None:
            self.queue.add(owner)

    async def reconcile(self, key: Key) -> float | None:
        cluster, name = key
        ws: dict[str, Any] | None = await self.workspaces.get(cluster, name)
        if ws is None:
            return None
        if (ws.get("metadata") or {}).get("deletionTimestamp"):
            return await reconcile_deletion.reconcile(self.workspaces, cluster, ws)
        if not reconcile_scheduling.is_scheduled(ws):
            return await reconcile_scheduling.reconcile(self.workspaces, cluster, ws)
        return await reconcile_phase.reconcile(self.workspaces, cluster, ws)
