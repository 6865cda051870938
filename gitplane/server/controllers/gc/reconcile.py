"""The collector's steps for one object, as kube's garbage collector takes them.

As an owner being deleted:

* ``foregroundDeletion``: its dependents are deleted (each, in turn, in the foreground if it blocks); once no
  dependent with ``blockOwnerDeletion`` remains, the finalizer is removed and the owner goes;
* ``orphan``: the owner is taken out of every dependent's ``ownerReferences``, then the finalizer is removed.

As a dependent: each owner it names is looked up (by kind in its logical cluster; a namespaced owner in the
dependent's namespace) and is *solid* (there, with that uid), *waiting* (there, in foreground deletion) or
*dangling* (gone, or another object with that name). With no solid owner the dependent is deleted (in the
foreground when an owner waits for it); with a solid one, the references to dangling and waiting owners are
removed. A cluster-scoped dependent cannot have a namespaced owner: such a reference is dangling, and a
warning Event (``OwnerRefInvalidNamespace``) says why, as kube reports it. An owner of a kind the cluster does
not serve cannot be looked up, and counts as solid: nothing is deleted for want of knowledge.

Every write goes through the in-process API with the object's resourceVersion, so a concurrent change makes
the write fail (409) and the key is looked at again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import orjson

from gitplane.api.resources import ResourceType
from gitplane.server.catalog import Catalog
from gitplane.server.controllers.gc.graph import Graph, OwnerRef, owner_refs
from gitplane.server.inprocess import InProcessClient
from gitplane.server.rest.deletion import FOREGROUND_FINALIZER, ORPHAN_FINALIZER
from gitplane.storage import interface as storage

Obj = dict[str, Any]
SOLID, WAITING, DANGLING = "solid", "waiting", "dangling"


def served_type(catalog: Catalog, key: storage.Key) -> ResourceType | None:
    """A type the cluster serves the stored object through."""
    return next((t for t in catalog.types if (t.stored_group, t.plural, t.storage_identity)
                 == (key.group, key.resource, key.identity)), None)


def object_path(t: ResourceType, key: storage.Key) -> str:
    return f"/clusters/{key.cluster}{t.url_path(key.namespace, key.name)}"


class Collector:
    def __init__(self, *, store: storage.Store, api: InProcessClient, graph: Graph,
                 catalog_for: Callable[[str], Catalog]) -> None:
        self.store = store
        self.api = api
        self.graph = graph
        self.catalog_for = catalog_for

    async def reconcile(self, key: storage.Key) -> float | None:
        try:
            record = await self.store.get(key)
        except storage.NotFound:
            return None
        obj: Obj = orjson.loads(record.value)
        meta = obj.get("metadata") or {}
        catalog = self.catalog_for(key.cluster)
        t = served_type(catalog, key)
        if t is None:
            return None
        finalizers = meta.get("finalizers") or []
        if meta.get("deletionTimestamp"):
            if FOREGROUND_FINALIZER in finalizers:
                return await self._foreground(t, key, obj, record.revision)
            if ORPHAN_FINALIZER in finalizers:
                await self._orphan(t, key, obj, record.revision)
            return None
        refs = owner_refs(obj)
        if refs:
            await self._as_dependent(catalog, t, key, obj, refs=refs, revision=record.revision)
        return None

    # -- as an owner ---------------------------------------------------------------------------------------
    async def _foreground(self, t: ResourceType, key: storage.Key, obj: Obj, revision: int) -> float | None:
        uid = str((obj.get("metadata") or {}).get("uid", ""))
        blocking = False
        for dependent in self.graph.dependents(uid):
            if any(ref.uid == uid and ref.block_owner_deletion for ref in self.graph.owners(dependent)):
                blocking = True
        if blocking:
            return None  # each dependent's deletion brings the owner back to the queue
        await self._drop_finalizer(t, key, obj, revision, FOREGROUND_FINALIZER)
        return None

    async def _orphan(self, t: ResourceType, key: storage.Key, obj: Obj, revision: int) -> None:
        uid = str((obj.get("metadata") or {}).get("uid", ""))
        for dependent in self.graph.dependents(uid):
            await self._remove_owners(dependent, {uid})
        await self._drop_finalizer(t, key, obj, revision, ORPHAN_FINALIZER)

    async def _drop_finalizer(self, t: ResourceType, key: storage.Key, obj: Obj, revision: int,
                              finalizer: str) -> None:
        remaining = [f for f in (obj.get("metadata") or {}).get("finalizers") or [] if f != finalizer]
        reply = await self.api.request("PATCH", object_path(t, key), body={
            "metadata": {"finalizers": remaining or None, "resourceVersion": str(revision)}},
            content_type="application/merge-patch+json")
        if reply.status != 404:
            reply.raise_for_status()

    # -- as a dependent -----------------------------------------------------------------------------------
    async def _as_dependent(self, catalog: Catalog, t: ResourceType, key: storage.Key, obj: Obj, *,
                            refs: tuple[OwnerRef, ...], revision: int) -> None:
        states = {ref.uid: await self._owner_state(catalog, t, key, obj, ref) for ref in refs}
        if SOLID not in states.values():
            policy = "Foreground" if WAITING in states.values() else "Background"
            reply = await self.api.request(
                "DELETE", object_path(t, key), body={
                    "apiVersion": "v1", "kind": "DeleteOptions", "propagationPolicy": policy,
                    "preconditions": {"resourceVersion": str(revision)}})
            if reply.status != 404:
                reply.raise_for_status()
            return
        stale = {uid for uid, state in states.items() if state != SOLID}
        if stale:
            await self._remove_owners(key, stale, obj=obj, revision=revision)

    async def _owner_state(self, catalog: Catalog, t: ResourceType, key: storage.Key, obj: Obj,
                           ref: OwnerRef) -> str:
        group = ref.api_version.rpartition("/")[0]
        owner_type = catalog.kind_of(group, ref.kind)
        if owner_type is None:
            return SOLID
        if owner_type.namespaced and not t.namespaced:
            await self._invalid_namespace_event(t, key, obj, ref)
            return DANGLING
        owner_key = storage.Key(owner_type.stored_group, owner_type.plural, owner_type.storage_identity,
                                key.cluster, key.namespace if owner_type.namespaced else "", ref.name)
        try:
            record = await self.store.get(owner_key)
        except storage.NotFound:
            return DANGLING
        meta = orjson.loads(record.value).get("metadata") or {}
        if meta.get("uid") != ref.uid:
            return DANGLING
        if meta.get("deletionTimestamp") and FOREGROUND_FINALIZER in (meta.get("finalizers") or []):
            return WAITING
        return SOLID

    async def _remove_owners(self, key: storage.Key, uids: set[str], *, obj: Obj | None = None,
                             revision: int | None = None) -> None:
        t = served_type(self.catalog_for(key.cluster), key)
        if t is None:
            return
        if obj is None or revision is None:
            try:
                record = await self.store.get(key)
            except storage.NotFound:
                return
            obj, revision = orjson.loads(record.value), record.revision
        refs = (obj.get("metadata") or {}).get("ownerReferences") or []
        kept = [r for r in refs if not (isinstance(r, Mapping) and r.get("uid") in uids)]
        if len(kept) == len(refs):
            return
        reply = await self.api.request("PATCH", object_path(t, key), body={
            "metadata": {"ownerReferences": kept or None, "resourceVersion": str(revision)}},
            content_type="application/merge-patch+json")
        if reply.status != 404:
            reply.raise_for_status()

    async def _invalid_namespace_event(self, t: ResourceType, key: storage.Key, obj: Obj, ref: OwnerRef) -> None:
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        meta = obj.get("metadata") or {}
        event = {
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"generateName": f"{key.name}.", "namespace": "default"},
            "involvedObject": {"apiVersion": t.api_version, "kind": t.kind, "name": key.name,
                               "uid": meta.get("uid", "")},
            "reason": "OwnerRefInvalidNamespace", "type": "Warning",
            "message": f"ownerRef [{ref.api_version}/{ref.kind}, namespace: , name: {ref.name}, uid: {ref.uid}] "
                       "does not exist in namespace \"\"",
            "source": {"component": "garbage-collector-controller"},
            "firstTimestamp": now, "lastTimestamp": now, "count": 1}
        await self.api.request("POST", f"/clusters/{key.cluster}/api/v1/namespaces/default/events", body=event)
