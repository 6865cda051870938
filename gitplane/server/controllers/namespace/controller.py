"""What the namespace controller watches (namespaces of every logical cluster, in one watch), its queue, its
identity, and its workers.

One watch and one queue serve every logical cluster: there is no task per workspace. Keys are
``(cluster, namespace)``; a terminating namespace is enqueued on every change, and requeued while content
remains.
"""

from __future__ import annotations

from collections.abc import Callable

import orjson

from gitplane.runtime.queue import WorkQueue
from gitplane.runtime.source import list_and_watch
from gitplane.runtime.workers import run_controller
from gitplane.server.catalog import Catalog
from gitplane.server.controllers.namespace import reconcile_content, reconcile_finalize
from gitplane.server.inprocess import InProcessClient
from gitplane.storage import interface as storage

CONTROLLER_NAME = "namespace-lifecycle"
NAMESPACES = storage.Prefix("", "namespaces", "")
REQUEUE_SECONDS = 2.0

Key = tuple[str, str]


def _terminating(record: storage.Record) -> bool:
    meta = orjson.loads(record.value).get("metadata") or {}
    return bool(meta.get("deletionTimestamp"))


class NamespaceController:
    def __init__(self, *, store: storage.Store, api: InProcessClient, catalog_for: Callable[[str], Catalog],
                 workers: int = 2) -> None:
        self.store = store
        self.api = api
        self.catalog_for = catalog_for
        self.workers = workers
        self.queue: WorkQueue[Key] = WorkQueue()

    async def run(self) -> None:
        """Watch and reconcile until cancelled."""
        await run_controller(self.queue, self.reconcile, name=CONTROLLER_NAME, workers=self.workers,
                             sources=[self._watch()])

    async def _watch(self) -> None:
        def listed(page: storage.Page) -> None:
            for record in page.records:
                if _terminating(record):
                    self.queue.add((record.key.cluster, record.key.name))

        def changed(event: storage.Event) -> None:
            if event.type is not storage.EventType.DELETED and _terminating(event.record):
                self.queue.add((event.record.key.cluster, event.record.key.name))

        await list_and_watch(self.store, NAMESPACES, name=CONTROLLER_NAME, on_list=listed, on_event=changed)

    async def reconcile(self, key: Key) -> float | None:
        """One pass over a namespace; the seconds after which to look again while content remains."""
        cluster, name = key
        try:
            record = await self.store.get(storage.Key("", "namespaces", "", cluster, "", name))
        except storage.NotFound:
            return None
        namespace = orjson.loads(record.value)
        if not (namespace.get("metadata") or {}).get("deletionTimestamp"):
            return None
        remaining = await reconcile_content.delete_content(
            store=self.store, api=self.api, catalog=self.catalog_for(cluster), cluster=cluster, namespace=name)
        await reconcile_content.report(self.api, cluster=cluster, namespace=namespace, remaining=remaining)
        if remaining.total:
            return REQUEUE_SECONDS
        await reconcile_finalize.finalize(self.api, cluster=cluster, name=name)
        return None
