"""What the garbage collector watches, its queue and its workers.

One watch per stored type, each over every logical cluster (no task per workspace): the built-in types, and
the custom types as CRDs start to be served anywhere (a new type's watch starts when the catalogs change). An
event updates the graph (a record without ``ownerReferences`` that the graph does not hold is skipped without
being parsed) and enqueues what must be looked at:

    an object with owners, added or changed          itself (are its owners there?)
    an object deleted                                its dependents (their owner is gone) and its owners (a
                                                     foreground deletion may be waiting for it)
    an object marked foregroundDeletion or orphan    itself and its dependents

Keys are storage keys; a key is looked at by one worker at a time (the runtime's work queue).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable

import orjson

from gitplane.api import errors as api_errors
from gitplane.api.resources import ResourceType
from gitplane.runtime.queue import WorkQueue
from gitplane.runtime.source import list_and_watch
from gitplane.runtime.workers import work
from gitplane.server.catalog import Catalog
from gitplane.server.controllers.gc.graph import Graph, owner_refs
from gitplane.server.controllers.gc.reconcile import Collector
from gitplane.server.inprocess import InProcessClient
from gitplane.server.rest.deletion import FOREGROUND_FINALIZER, ORPHAN_FINALIZER
from gitplane.storage import interface as storage

log = logging.getLogger(__name__)

CONTROLLER_NAME = "garbage-collector"
_MARKER = b'"ownerReferences"'
_DELETING = b'"deletionTimestamp"'


class GarbageCollector:
    def __init__(self, *, store: storage.Store, api: InProcessClient, catalog_for: Callable[[str], Catalog],
                 served_types: Callable[[], Iterable[ResourceType]], types_changed: Callable[[], asyncio.Event],
                 workers: int = 2) -> None:
        """``served_types``: every type any cluster serves now; ``types_changed``: an event set when that
        changes."""
        self.store = store
        self.graph = Graph()
        self.collector = Collector(store=store, api=api, graph=self.graph, catalog_for=catalog_for)
        self.queue: WorkQueue[storage.Key] = WorkQueue()
        self._served_types = served_types
        self._types_changed = types_changed
        self._workers = workers
        self._watches: dict[tuple[str, str, str], asyncio.Task[None]] = {}
        self._waiting: dict[str, storage.Key] = {}
        """Owners in foreground deletion, by uid: a dependent's deletion brings its owner back."""

    async def run(self) -> None:
        """Watch and collect until cancelled."""
        workers = [asyncio.create_task(work(self.queue, self.collector.reconcile, name=CONTROLLER_NAME,
                                            expected=_is_conflict), name=f"{CONTROLLER_NAME}-worker-{i}")
                   for i in range(self._workers)]
        try:
            while True:
                changed = self._types_changed()
                self._watch_new_types()
                await changed.wait()
        finally:
            self.queue.shutdown()
            tasks = [*workers, *self._watches.values()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def _watch_new_types(self) -> None:
        for t in self._served_types():
            stored = (t.stored_group, t.plural, t.storage_identity)
            if stored not in self._watches:
                self._watches[stored] = asyncio.create_task(self._follow(storage.Prefix(*stored)),
                                                            name=f"{CONTROLLER_NAME}-{t.plural}.{t.group}")

    async def _follow(self, prefix: storage.Prefix) -> None:
        def listed(page: storage.Page) -> None:
            self.graph.forget_type(prefix)
            for record in page.records:
                if _MARKER in record.value or _DELETING in record.value:
                    self._changed(record, deleted=False)

        def event(change: storage.Event) -> None:
            record = change.record
            deleted = change.type is storage.EventType.DELETED
            if deleted or _MARKER in record.value or _DELETING in record.value or self.graph.owners(record.key):
                self._changed(record, deleted=deleted)

        await list_and_watch(self.store, prefix, name=f"{CONTROLLER_NAME}-{prefix.resource}", on_list=listed,
                             on_event=event)

    def _changed(self, record: storage.Record, *, deleted: bool) -> None:
        key = record.key
        try:
            obj = orjson.loads(record.value)
        except orjson.JSONDecodeError:
            return
        meta = obj.get("metadata") or {}
        uid = str(meta.get("uid", ""))
        if deleted:
            for ref in self.graph.owners(key):  # an owner in foreground deletion may be waiting for this one
                waiting = self._waiting.get(ref.uid)
                if waiting is not None:
                    self.queue.add(waiting)
            self.graph.set(key, ())
            self._waiting.pop(uid, None)
            for dependent in self.graph.dependents(uid):
                self.queue.add(dependent)
            return
        refs = owner_refs(obj)
        self.graph.set(key, refs)
        if refs:
            self.queue.add(key)
        finalizers = meta.get("finalizers") or []
        if meta.get("deletionTimestamp") and (FOREGROUND_FINALIZER in finalizers or ORPHAN_FINALIZER in finalizers):
            if FOREGROUND_FINALIZER in finalizers:
                self._waiting[uid] = key
            self.queue.add(key)
            for dependent in self.graph.dependents(uid):
                self.queue.add(dependent)
        else:
            self._waiting.pop(uid, None)


def _is_conflict(exc: Exception) -> bool:
    return isinstance(exc, api_errors.APIError) and exc.code == 409
