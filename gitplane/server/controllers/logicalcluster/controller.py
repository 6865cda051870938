"""What the logical-cluster controller watches (every LogicalCluster, in one watch: no task per workspace),
its queue and its workers. Keys are logical cluster names."""

from __future__ import annotations

from collections.abc import Callable

from gitplane.runtime.queue import WorkQueue
from gitplane.runtime.source import list_and_watch
from gitplane.runtime.workers import run_controller
from gitplane.server.catalog import Catalog
from gitplane.server.controllers.logicalcluster import (
    reconcile_deletion,
    reconcile_owner,
    reconcile_phase,
    reconcile_universal,
)
from gitplane.server.inprocess import InProcessClient
from gitplane.server.tenancy import logicalclusters as lc
from gitplane.storage import interface as storage

CONTROLLER_NAME = "logicalcluster"


class LogicalClusterController:
    def __init__(self, *, store: storage.Store, api: InProcessClient, catalog_for: Callable[[str], Catalog],
                 workers: int = 2) -> None:
        self.store = store
        self.api = api
        self.catalog_for = catalog_for
        self.workers = workers
        self.queue: WorkQueue[str] = WorkQueue()

    async def run(self) -> None:
        await run_controller(self.queue, self.reconcile, name=CONTROLLER_NAME, workers=self.workers, sources=[
            list_and_watch(self.store, lc.PREFIX, name=CONTROLLER_NAME, on_list=self._listed,
                           on_event=self._changed)])

    def _listed(self, page: storage.Page) -> None:
        for record in page.records:
            self.queue.add(record.key.cluster)

    def _changed(self, event: storage.Event) -> None:
        if event.type is not storage.EventType.DELETED:
            self.queue.add(event.record.key.cluster)

    async def reconcile(self, cluster: str) -> float | None:
        logical = await storage.get_object(self.store, lc.key(cluster))
        if logical is None:
            return None
        if (logical.get("metadata") or {}).get("deletionTimestamp"):
            return await reconcile_deletion.reconcile(self.api, self.store, self.catalog_for(cluster), cluster,
                                                      logical)
        phase = (logical.get("status") or {}).get("phase")
        if phase != "Initializing":
            return None
        before = dict(logical.get("status") or {})
        await reconcile_owner.reconcile(self.api, cluster, logical)
        logical = await reconcile_universal.reconcile(self.api, cluster, logical)
        await reconcile_phase.reconcile(self.api, cluster, logical, before)
        return None
