"""Each logical cluster's catalog: the built-in types plus what its Established CRDs serve.

Why: a CRD written to a cluster must be served there, and only there, at once: its URLs, discovery and OpenAPI
follow the CRD as soon as the server has seen the write. A cluster without CRDs shares the built-in catalog
object (it costs nothing); a cluster with some gets a :class:`~gitplane.server.catalog.Catalog` of its own,
rebuilt whenever what one of its CRDs serves changes, so documents cached per catalog object are rebuilt with
it.

How: :meth:`CustomResourceCatalogs.follow` lists and watches every cluster's CRDs in one watch (no task per
cluster) and keeps them by cluster and name; a change to what one of a cluster's CRDs serves rebuilds that
cluster's catalog from :func:`~gitplane.server.customresources.served.served_versions` (a status update that
serves nothing new keeps the catalog, and so its cached documents). Request handlers call
:meth:`catalog_for` (a dict lookup) and :meth:`strategy_for`, which hands out the custom-resource strategy of
a custom type and the built-in strategy of any other; the request metrics label a custom type found by
:meth:`served_type`. Before the first list has been seen, every cluster has the built-in catalog.

    store (CRDs of every cluster) --list+watch--> {cluster: {name: CRD}} --rebuild--> {cluster: Catalog}
"""

from __future__ import annotations

import asyncio
import logging
from collections import ChainMap
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, cast

import orjson

from gitplane.api import builtin_types
from gitplane.api.resources import ResourceType
from gitplane.runtime.source import list_and_watch
from gitplane.server.catalog import Catalog
from gitplane.server.customresources.served import ServedVersion, definitions, is_established, served_versions
from gitplane.server.registry.custom import CustomResourceStrategy
from gitplane.server.registry.strategy import Strategy
from gitplane.storage import interface as storage

log = logging.getLogger(__name__)

CRDS = storage.Prefix(builtin_types.CUSTOMRESOURCEDEFINITIONS.group,
                      builtin_types.CUSTOMRESOURCEDEFINITIONS.plural, "")


class CustomResourceCatalogs:
    """The catalogs of every logical cluster (see the module docstring). Used from the event loop only."""

    def __init__(self, builtin: Catalog, builtin_strategy: Callable[[ResourceType], Strategy]) -> None:
        self.builtin = builtin
        self._builtin_strategy = builtin_strategy
        self._crds: dict[str, dict[str, _ServedCRD]] = {}
        self._catalogs: dict[str, Catalog] = {}
        self._served: dict[int, ServedVersion] = {}
        """By ``id`` of the type: equal types of two clusters are two entries. Each type stays alive, in its
        cluster's catalog, for as long as it is here."""
        self._by_names: dict[tuple[str, str, str], list[ResourceType]] = {}
        """The same types by ``(group, version, plural)``, for :meth:`served_type`."""
        self.revision = 0
        """The store revision of the last CRD change applied to the catalogs."""
        self.synced = False
        """Whether the store's CRDs have been listed once (before that, custom resources are not served)."""
        self._changed = asyncio.Event()

    def catalog_for(self, cluster: str) -> Catalog:
        return self._catalogs.get(cluster, self.builtin)

    def strategy_for(self, resource_type: ResourceType) -> Strategy:
        served = self._served.get(id(resource_type))
        if served is not None and served.type is resource_type:
            return CustomResourceStrategy(served)
        return self._builtin_strategy(resource_type)

    def served_type(self, group: str, version: str, plural: str) -> ResourceType | None:
        """A custom type some cluster serves under these names (request metrics label by them), or None."""
        types = self._by_names.get((group, version, plural))
        return types[0] if types else None

    def served_types(self) -> list[ResourceType]:
        """Every type some cluster serves now: the built-in ones and each cluster's custom ones."""
        return [*self.builtin.types, *(version.type for version in self._served.values())]

    def changed(self) -> asyncio.Event:
        """An event that is set at the next change of any catalog."""
        return self._changed

    async def wait_for(self, revision: int) -> None:
        """Return once the catalogs reflect every CRD change up to ``revision``."""
        while self.revision < revision:
            await self._changed.wait()

    # -- following the store ----------------------------------------------------------------------------
    async def follow(self, store: storage.Store) -> None:
        """Keep the catalogs current from the store's CRDs, until cancelled."""
        await list_and_watch(store, CRDS, name="custom-resource-catalogs", on_list=self._listed,
                             on_event=self._event)

    def _listed(self, page: storage.Page) -> None:
        before = set(self._crds)
        self._crds = {}
        for record in page.records:
            self._keep(record)
        for cluster in before | set(self._crds):
            self._rebuild(cluster)
        self.synced = True
        self._advance(page.revision)

    def _event(self, event: storage.Event) -> None:
        """Rebuild the cluster's catalog only when what the CRD serves changed: most CRD writes are status
        updates (conditions, stored versions) that serve nothing new, and a rebuild is a new catalog, so new
        discovery and OpenAPI documents (half a second for the OpenAPI ones with 1,000 CRDs)."""
        record = event.record
        cluster = record.key.cluster
        if event.type is storage.EventType.DELETED:
            crds = self._crds.get(cluster, {})
            gone = crds.pop(record.key.name, None)
            changed = gone is not None and gone.fingerprint is not None
            if not crds:
                self._crds.pop(cluster, None)
        else:
            changed = self._keep(record)
        if changed:
            self._rebuild(cluster)
        self._advance(record.revision)

    def _keep(self, record: storage.Record) -> bool:
        """Keep the CRD's served versions; whether they differ from what it served before."""
        try:
            crd = orjson.loads(record.value)
        except orjson.JSONDecodeError:
            log.warning("CRD %s in cluster %s cannot be read; not served", record.key.name, record.key.cluster)
            return False
        crds = self._crds.setdefault(record.key.cluster, {})
        before = crds.get(record.key.name)
        fingerprint = _fingerprint(crd)
        if before is not None and before.fingerprint == fingerprint:
            return False
        versions = served_versions(crd)
        own: dict[str, Mapping[str, Any]] = {}
        for version in versions:
            own.update(definitions(version))
        crds[record.key.name] = _ServedCRD(versions, own, fingerprint)
        return fingerprint != (before.fingerprint if before is not None else None)

    def _rebuild(self, cluster: str) -> None:
        """The cluster's catalog from its CRDs' served versions, computed when each CRD was seen."""
        old = self._catalogs.pop(cluster, None)
        if old is not None:
            for t in old.types[len(self.builtin.types):]:
                self._served.pop(id(t), None)
                self._unindex(t)
        crds = self._crds.get(cluster)
        if not crds:
            self._crds.pop(cluster, None)
            return
        served = [version for name in sorted(crds) for version in crds[name].versions]
        if not served:
            return
        for version in served:
            self._served[id(version.type)] = version
            self._by_names.setdefault(_names(version.type), []).append(version.type)
        custom: dict[str, Mapping[str, Any]] = {}
        for crd in crds.values():
            custom.update(crd.definitions)
        definitions = ChainMap(custom, cast(dict[str, Mapping[str, Any]], self.builtin.definitions))
        self._catalogs[cluster] = Catalog([*self.builtin.types, *(v.type for v in served)], definitions)

    def _unindex(self, t: ResourceType) -> None:
        types = self._by_names.get(_names(t), [])
        for i, other in enumerate(types):
            if other is t:
                del types[i]
                break
        if not types:
            self._by_names.pop(_names(t), None)

    def _advance(self, revision: int) -> None:
        self.revision = max(self.revision, revision)
        self._changed.set()
        self._changed = asyncio.Event()


def _names(t: ResourceType) -> tuple[str, str, str]:
    return t.group, t.version, t.plural


class _ServedCRD(NamedTuple):
    versions: list[ServedVersion]
    definitions: dict[str, Mapping[str, Any]]
    fingerprint: bytes | None
    """What :func:`served_versions` read of the CRD (None: it serves nothing), to tell a change that serves
    something new from one that does not."""


def _fingerprint(crd: Mapping[str, Any]) -> bytes | None:
    """The parts of a CRD its served versions come from: name, deletion, spec and accepted names, once
    Established; None before."""
    if not is_established(crd):
        return None
    metadata, status = crd.get("metadata") or {}, crd.get("status") or {}
    return orjson.dumps([metadata.get("name"), bool(metadata.get("deletionTimestamp")), crd.get("spec"),
                         status.get("acceptedNames")], option=orjson.OPT_SORT_KEYS)
