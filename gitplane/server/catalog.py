"""The catalog of resource types a logical cluster serves, and where each cluster's catalog comes from.

Every cluster shares the built-in catalog object; a cluster with CustomResourceDefinitions of its own gets a
catalog that extends it (:mod:`gitplane.server.customresources`), and later its API bindings, so a cluster
costs memory only for what it adds. A catalog carries the schema definitions its types name (the built-in
table, chained under the cluster's own). Documents derived from a catalog (discovery, OpenAPI) are cached
per catalog object, so a new catalog after a CRD change is also new discovery and OpenAPI.
"""

from __future__ import annotations

from collections.abc import Iterable

from gitplane.api.builtin_schemas import builtin_definitions
from gitplane.api.resources import ResourceType
from gitplane.api.schema import Definitions


class Catalog:
    """An immutable set of served resource types with the lookups the request path needs."""

    __slots__ = ("__weakref__", "_by_gvr", "_versions", "definitions", "types")

    def __init__(self, types: Iterable[ResourceType], definitions: Definitions | None = None) -> None:
        self.types: tuple[ResourceType, ...] = tuple(types)
        self.definitions: Definitions = builtin_definitions() if definitions is None else definitions
        self._by_gvr = {(t.group, t.version, t.plural): t for t in self.types}
        versions: dict[str, list[str]] = {}
        for t in self.types:
            group_versions = versions.setdefault(t.group, [])
            if t.version not in group_versions:
                group_versions.append(t.version)
        self._versions = versions

    def lookup(self, group: str, version: str, resource: str) -> ResourceType | None:
        return self._by_gvr.get((group, version, resource))

    def serves_group_version(self, group: str, version: str) -> bool:
        return version in self._versions.get(group, ())

    def group_versions(self) -> dict[str, list[str]]:
        """Versions per group, in the order the catalog declares them (preferred first)."""
        return {g: list(v) for g, v in self._versions.items()}

    def of_group_version(self, group: str, version: str) -> list[ResourceType]:
        return [t for t in self.types if t.group == group and t.version == version]

    def kind_of(self, group: str, kind: str) -> ResourceType | None:
        for t in self.types:
            if t.group == group and t.kind == kind:
                return t
        return None
