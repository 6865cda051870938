"""What the quota controller watches, its queue, its identity, and its workers.

One watch follows the ResourceQuotas of every logical cluster and keeps the :class:`~.index.QuotaIndex`; one
more watch per stored type that some quota counts (across every cluster) is started and stopped as quotas come
and go: no task per workspace, namespace or quota. Keys are ``(cluster, namespace, name)`` of quotas. A quota
is enqueued when it is added, when its ``spec`` changes or its status lags it, when an object of a type it
counts is created or deleted in its namespace, and for every quota on each full resync. Object events also
settle admission's charges (see :mod:`gitplane.server.admission.resource_quota_charges`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any

import orjson

from gitplane.api import errors
from gitplane.runtime.queue import WorkQueue
from gitplane.runtime.source import list_and_watch
from gitplane.runtime.workers import work
from gitplane.server.admission import resource_quota, resource_quota_cache
from gitplane.server.admission.resource_quota_charges import Charges
from gitplane.server.catalog import Catalog
from gitplane.server.controllers.quota import reconcile_status, reconcile_usage
from gitplane.server.controllers.quota.index import QuotaIndex, QuotaKey, StoredType
from gitplane.server.inprocess import InProcessClient
from gitplane.storage import interface as storage

log = logging.getLogger(__name__)


def _is_conflict(exc: Exception) -> bool:
    """A status write that lost to a concurrent one: expected, the recount simply runs again."""
    return isinstance(exc, errors.APIError) and exc.code == 409

CONTROLLER_NAME = "resource-quota"
QUOTAS = storage.Prefix("", resource_quota.QUOTAS, "")
RESYNC_SECONDS = 300.0
"""kube's ``--resource-quota-sync-period`` default."""


def _spec_hard(quota: Mapping[str, Any]) -> Mapping[str, Any]:
    hard: Mapping[str, Any] = (quota.get("spec") or {}).get("hard") or {}
    return hard


class QuotaController:
    def __init__(self, *, store: storage.Store, api: InProcessClient, catalog_for: Callable[[str], Catalog],
                 charges: Charges, resync_seconds: float = RESYNC_SECONDS, workers: int = 2) -> None:
        self.store = store
        self.api = api
        self.catalog_for = catalog_for
        self.charges = charges
        self.resync_seconds = resync_seconds
        self.workers = workers
        self.queue: WorkQueue[QuotaKey] = WorkQueue()
        self.index = QuotaIndex()
        self._type_watches: dict[StoredType, asyncio.Task[None]] = {}
        self._rechecks: dict[QuotaKey, float] = {}
        self._tasks: asyncio.TaskGroup | None = None

    async def run(self) -> None:
        """Watch and reconcile until cancelled."""
        try:
            async with asyncio.TaskGroup() as tasks:
                self._tasks = tasks
                for i in range(self.workers):
                    tasks.create_task(work(self.queue, self.reconcile, name=CONTROLLER_NAME, again=self._recheck_later,
                                           expected=_is_conflict), name=f"{CONTROLLER_NAME}-worker-{i}")
                tasks.create_task(self._resync_periodically(), name=f"{CONTROLLER_NAME}-resync")
                await self._watch_quotas()
        finally:
            self._tasks = None
            self._type_watches.clear()
            self._rechecks.clear()
            self.queue.shutdown()

    def resync(self) -> None:
        """Enqueue every known quota."""
        for key in self.index.quotas():
            self.queue.add(key)

    async def _resync_periodically(self) -> None:
        while True:
            await asyncio.sleep(self.resync_seconds)
            self.resync()

    # -- quotas -------------------------------------------------------------------------------------------
    async def _watch_quotas(self) -> None:
        await list_and_watch(self.store, QUOTAS, name=CONTROLLER_NAME, on_list=self._on_quotas_listed,
                             on_event=self._on_quota_event)

    def _on_quotas_listed(self, page: storage.Page) -> None:
        self.index.clear()
        for record in page.records:
            self._index(record, orjson.loads(record.value))
        self._sync_type_watches(page.revision)
        self.resync()

    def _on_quota_event(self, event: storage.Event) -> None:
        key = event.record.key
        if event.type is storage.EventType.DELETED:
            self.index.remove((key.cluster, key.namespace, key.name))
            self._rechecks.pop((key.cluster, key.namespace, key.name), None)
            self._sync_type_watches(event.revision)
            return
        quota = orjson.loads(event.record.value)
        self._index(event.record, quota)
        self._sync_type_watches(event.revision)
        previous = orjson.loads(event.previous.value) if event.previous is not None else None
        if previous is None or quota.get("spec") != previous.get("spec") or self._lagging(key.cluster, quota):
            self.queue.add((key.cluster, key.namespace, key.name))

    def _index(self, record: storage.Record, quota: Mapping[str, Any]) -> None:
        key = record.key
        self.index.set((key.cluster, key.namespace, key.name), self._counted_types(key.cluster, quota))

    def _counted_types(self, cluster: str, quota: Mapping[str, Any]) -> frozenset[StoredType]:
        countable = reconcile_usage.countable_types(self.catalog_for(cluster))
        return frozenset((t.stored_group, t.plural, t.storage_identity)
                         for t in (countable.get(name) for name in resource_quota_cache.limited_names(quota))
                         if t is not None)

    def _lagging(self, cluster: str, quota: Mapping[str, Any]) -> bool:
        """Whether the status misses part of the spec (a limit, or the usage of something countable)."""
        status = quota.get("status") or {}
        hard = _spec_hard(quota)
        if not reconcile_status.same_quantities(status.get("hard") or {}, hard):
            return True
        used = status.get("used") or {}
        countable = reconcile_usage.countable_types(self.catalog_for(cluster))
        return any(name in countable and name not in used for name in hard)

    # -- counted objects ----------------------------------------------------------------------------------
    def _sync_type_watches(self, since: storage.Revision) -> None:
        """Start a watch for every type some quota counts, from ``since``; stop those no quota needs."""
        tasks = self._tasks
        if tasks is None:
            return
        wanted = self.index.watched()
        for stored in [s for s in self._type_watches if s not in wanted]:
            self._type_watches.pop(stored).cancel()
        for stored in wanted:
            if stored not in self._type_watches:
                self._type_watches[stored] = tasks.create_task(
                    self._watch_type(stored, since), name=f"{CONTROLLER_NAME}-watch-{'/'.join(stored)}")

    async def _watch_type(self, stored: StoredType, since: storage.Revision) -> None:
        prefix = storage.Prefix(*stored)
        while True:
            watch = self.store.watch(prefix, since=since)
            try:
                async for event in watch:
                    since = event.revision
                    self._on_object_event(stored, event)
            except storage.Gone:
                log.info("%s: watch history of %s expired; recounting", CONTROLLER_NAME, "/".join(stored))
                since = self.store.current_revision()
                for quota in self.index.counting_anywhere(stored):
                    self.queue.add(quota)
            finally:
                watch.close()

    def _on_object_event(self, stored: StoredType, event: storage.Event) -> None:
        key = event.record.key
        self.charges.settle(key, event.revision)
        if event.type is not storage.EventType.MODIFIED:
            for quota in self.index.counting(key.cluster, key.namespace, stored):
                self.queue.add(quota)

    # -- reconciling ---------------------------------------------------------------------------------------
    def _recheck_later(self, key: QuotaKey, delay: float) -> None:
        """Recount ``key`` after ``delay`` unless a recount is already due by then (a burst of creates must not
        pile up one timer per recount)."""
        now = asyncio.get_running_loop().time()
        due = self._rechecks.get(key)
        if due is not None and now < due <= now + delay:
            return
        self._rechecks[key] = now + delay
        self.queue.add_after(key, delay)

    async def reconcile(self, key: QuotaKey) -> float | None:
        """Recount one quota and write its status if it changed; the seconds after which it must be recounted
        again (charged creates counted that may expire), or None."""
        cluster, namespace, name = key
        async with self.charges.turn(cluster, namespace):
            try:
                record = await self.store.get(storage.Key("", resource_quota.QUOTAS, "", cluster, namespace, name))
            except storage.NotFound:
                return None
            quota = orjson.loads(record.value)
            usage = await reconcile_usage.measure(store=self.store, charges=self.charges,
                                                  catalog=self.catalog_for(cluster), cluster=cluster,
                                                  namespace=namespace, quota=quota)
            if await reconcile_status.commit(self.api, cluster=cluster, quota=quota, used=usage.used):
                log.info("%s: quota %s/%s in %s used %s", CONTROLLER_NAME, namespace, name, cluster,
                         ",".join(f"{k}={v}" for k, v in usage.used.items()))
            return usage.recheck_after

