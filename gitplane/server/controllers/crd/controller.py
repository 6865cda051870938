"""What the CRD controller watches (the CRDs of every logical cluster, in one watch), its index, its
queue and its workers.

One watch and one queue serve every logical cluster (no task per workspace). The index keeps, per cluster and
CRD, its group and accepted names: what a reconcile needs to know of the other CRDs, without reading them.
Keys are ``(cluster, name)``. A CRD is enqueued on every change; when a CRD's accepted names change or it goes,
the other CRDs of its group in that cluster are enqueued too, since a name it held may now be free.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson

from gitplane.api import builtin_types
from gitplane.api import errors as api_errors
from gitplane.runtime.queue import WorkQueue
from gitplane.runtime.source import list_and_watch
from gitplane.runtime.workers import run_controller
from gitplane.server.controllers.crd import reconcile_cleanup, reconcile_names
from gitplane.server.controllers.crd.reconcile_names import Names
from gitplane.server.inprocess import InProcessClient
from gitplane.server.rest.context import now, rfc3339
from gitplane.storage import interface as storage

log = logging.getLogger(__name__)

CONTROLLER_NAME = "crd"
CLEANUP_REQUEUE_SECONDS = 1.0
"""How soon a terminating CRD looks again at objects that their own finalizers hold."""
CRD = builtin_types.CUSTOMRESOURCEDEFINITIONS
CRDS = storage.Prefix(CRD.group, CRD.plural, "")

Key = tuple[str, str]


class CRDController:
    def __init__(self, *, store: storage.Store, api: InProcessClient, workers: int = 1) -> None:
        self.store = store
        self.api = api
        self.workers = workers
        self.queue: WorkQueue[Key] = WorkQueue()
        self._index: dict[str, dict[str, tuple[str, Names]]] = {}

    async def run(self) -> None:
        """Watch and reconcile until cancelled."""
        await run_controller(self.queue, self.reconcile, name=CONTROLLER_NAME, workers=self.workers,
                             expected=_is_conflict, sources=[
                                 list_and_watch(self.store, CRDS, name=CONTROLLER_NAME, on_list=self._listed,
                                                on_event=self._changed)])

    # -- the index ----------------------------------------------------------------------------------------
    def _listed(self, page: storage.Page) -> None:
        self._index = {}
        for record in page.records:
            self._remember(record)
            self.queue.add((record.key.cluster, record.key.name))

    def _changed(self, event: storage.Event) -> None:
        key = event.record.key
        before = self._index.get(key.cluster, {}).get(key.name)
        if event.type is storage.EventType.DELETED:
            self._index.get(key.cluster, {}).pop(key.name, None)
        else:
            self._remember(event.record)
            self.queue.add((key.cluster, key.name))
        after = self._index.get(key.cluster, {}).get(key.name)
        if before is not None and before != after:
            group = before[0]
            for name, (other_group, _) in self._index.get(key.cluster, {}).items():
                if other_group == group and name != key.name:
                    self.queue.add((key.cluster, name))

    def _remember(self, record: storage.Record) -> None:
        try:
            crd = orjson.loads(record.value)
        except orjson.JSONDecodeError:
            return
        group = str((crd.get("spec") or {}).get("group") or "")
        names = Names.of((crd.get("status") or {}).get("acceptedNames"))
        self._index.setdefault(record.key.cluster, {})[record.key.name] = (group, names)

    def _others(self, cluster: str, name: str, group: str) -> list[Names]:
        return [names for other, (other_group, names) in self._index.get(cluster, {}).items()
                if other != name and other_group == group]

    # -- reconcile ----------------------------------------------------------------------------------------
    async def reconcile(self, key: Key) -> float | None:
        cluster, name = key
        try:
            record = await self.store.get(storage.Key(CRD.group, CRD.plural, "", cluster, "", name))
        except storage.NotFound:
            return None
        crd = orjson.loads(record.value)
        if (crd.get("metadata") or {}).get("deletionTimestamp"):
            return await self._clean_up(cluster, crd)
        group = str((crd.get("spec") or {}).get("group") or "")
        status = reconcile_names.updated_status(crd, self._others(cluster, name, group), rfc3339(now()))
        if status is None:
            return None
        crd["status"] = status
        reply = await self.api.request("PUT", f"/clusters/{cluster}{CRD.url_path(name=name)}/status", body=crd)
        if reply.status == 404:
            return None
        reply.raise_for_status()
        log.info("CRD %s in %s: names %s", name, cluster,
                 next((c["reason"] for c in status["conditions"] if c["type"] == reconcile_names.NAMES_ACCEPTED),
                      ""))
        return None


    async def _clean_up(self, cluster: str, crd: dict[str, Any]) -> float | None:
        if not reconcile_cleanup.holds_cleanup(crd):
            return None
        remaining = await reconcile_cleanup.delete_objects(self.store, self.api, cluster=cluster, crd=crd)
        await reconcile_cleanup.report(self.api, cluster=cluster, crd=crd, remaining=remaining,
                                       now=rfc3339(now()))
        if remaining:
            return CLEANUP_REQUEUE_SECONDS
        await reconcile_cleanup.release(self.api, cluster=cluster, crd=crd)
        log.info("CRD %s in %s: objects deleted, CRD released", (crd.get("metadata") or {}).get("name"), cluster)
        return None


def _is_conflict(exc: Exception) -> bool:
    return isinstance(exc, api_errors.APIError) and exc.code == 409
