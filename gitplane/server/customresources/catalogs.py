"""Each logical cluster's catalog: the built-in types plus what its Established CRDs serve.

Why: a CRD written to a cluster must be served there, and only there, at once: its URLs, discovery and OpenAPI
follow the CRD as soon as the server has seen the write. A cluster without CRDs shares the built-in catalog
object (it costs nothing); a cluster with some gets a :class:`~gitplane.server.catalog.Catalog` of its own,
rebuilt whenever one of its CRDs changes, so documents cached per catalog object are rebuilt with it.

How: :meth:`CustomResourceCatalogs.follow` lists and watches every cluster's CRDs in one watch (no task per
cluster) and keeps them by cluster and name; a change to one cluster's CRDs rebuilds that cluster's catalog
from :func:`~gitplane.server.customresources.served.served_versions`. Request handlers call
:meth:`catalog_for` (a dict lookup) and :meth:`strategy_for`, which hands out the custom-resource strategy of
a custom type and the built-in strategy of any other. Before the first list has been seen, every cluster has
the built-in catalog.

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
from gitplane.server.customresources.served import ServedVersion, definitions, served_versions
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
        self.revision = 0
        """The store revision of the last CRD change applied to the catalogs."""
        self._changed = asyncio.Event()

    def catalog_for(self, cluster: str) -> Catalog:
        return self._catalogs.get(cluster, self.builtin)

    def strategy_for(self, resource_type: ResourceType) -> Strategy:
        served = self._served.get(id(resource_type))
        if served is not None and served.type is resource_type:
            return CustomResourceStrategy(served)
        return self._builtin_strategy(resource_type)

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
        self._advance(page.revision)

    def _event(self, event: storage.Event) -> None:
        record = event.record
        if event.type is storage.EventType.DELETED:
            self._crds.get(record.key.cluster, {}).pop(record.key.name, None)
        else:
            self._keep(record)
        self._rebuild(record.key.cluster)
        self._advance(record.revision)

    def _keep(self, record: storage.Record) -> None:
        try:
            crd = orjson.loads(record.value)
        except orjson.JSONDecodeError:
            log.warning("CRD %s in cluster %s cannot be read; not served", record.key.name, record.key.cluster)
            return
        versions = served_versions(crd)
        own: dict[str, Mapping[str, Any]] = {}
        for version in versions:
            own.update(definitions(version))
        self._crds.setdefault(record.key.cluster, {})[record.key.name] = _ServedCRD(versions, own)

    def _rebuild(self, cluster: str) -> None:
        """The cluster's catalog from its CRDs' served versions, computed when each CRD was seen."""
        old = self._catalogs.pop(cluster, None)
        if old is not None:
            for t in old.types[len(self.builtin.types):]:
                self._served.pop(id(t), None)
        crds = self._crds.get(cluster)
        if not crds:
            self._crds.pop(cluster, None)
            return
        served = [version for name in sorted(crds) for version in crds[name].versions]
        if not served:
            return
        for version in served:
            self._served[id(version.type)] = version
        custom: dict[str, Mapping[str, Any]] = {}
        for crd in crds.values():
            custom.update(crd.definitions)
        definitions = ChainMap(custom, cast(dict[str, Mapping[str, Any]], self.builtin.definitions))
        self._catalogs[cluster] = Catalog([*self.builtin.types, *(v.type for v in served)], definitions)

    def _advance(self, revision: int) -> None:
        self.revision = max(self.revision, revision)
        self._changed.set()
        self._changed = asyncio.Event()


class _ServedCRD(NamedTuple):
    versions: list[ServedVersion]
    definitions: dict[str, Mapping[str, Any]]
