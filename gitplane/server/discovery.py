"""Discovery documents for a set of served resource types, built once per set and served as bytes.

kubectl and client-go learn what a server serves from discovery before any other request: aggregated
discovery (``/api`` and ``/apis`` as ``APIGroupDiscoveryList``, kubectl 1.26+) or the legacy documents
(``/api`` ``APIVersions``, ``/apis`` ``APIGroupList``, one ``APIResourceList`` per group version). Both are
derived here from the same list of :class:`ResourceType`, ordered as kube-apiserver orders them: the core
group alone under ``/api``; groups under ``/apis`` by kube's group priority, then by name; versions
preferred first.

    ResourceType list -> Discovery -> api_versions(addr) | api_group_list() | api_group(g) | resource_list(gv)
                                   -> aggregated(core=True|False, version="v2"|"v2beta1")

Subresources are listed with their own verbs and kinds (:data:`SUBRESOURCES`). ``storageVersionHash`` is
kube's: the first 8 bytes of SHA-256 over ``group/version/kind`` of the stored form, base64-encoded; a type
that is never stored (a review, create only) has none, as in kube.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import orjson

from gitplane.api.resources import ResourceType

AggregatedVersion = Literal["v2", "v2beta1"]


@dataclass(frozen=True, slots=True)
class Subresource:
    """A subresource kube-apiserver serves: its verbs, and its kind when it is not the parent's."""

    verbs: tuple[str, ...]
    group: str | None = None
    version: str | None = None
    kind: str | None = None
    schema: str | None = None
    """The definition name of the subresource's own kind."""


SUBRESOURCES: Mapping[str, Subresource] = {
    "status": Subresource(("get", "patch", "update")),
    "finalize": Subresource(("update",)),
    "scale": Subresource(("get", "patch", "update"), "autoscaling", "v1", "Scale",
                         "io.k8s.api.autoscaling.v1.Scale"),
    "token": Subresource(("create",), "authentication.k8s.io", "v1", "TokenRequest",
                         "io.k8s.api.authentication.v1.TokenRequest"),
}


def subresource(name: str) -> Subresource:
    """The description of subresource ``name``.

    Raises:
        KeyError: a subresource kube does not define for the types we serve.
    """
    try:
        return SUBRESOURCES[name]
    except KeyError:
        raise KeyError(f"unknown subresource {name!r}: describe it in discovery.SUBRESOURCES") from None


def subresource_kind(parent: ResourceType, name: str) -> dict[str, str]:
    """The ``{group, version, kind}`` a subresource answers with."""
    sub = subresource(name)
    return {"group": parent.group if sub.group is None else sub.group,
            "version": parent.version if sub.version is None else sub.version,
            "kind": sub.kind or parent.kind}


# kube-aggregator's GroupPriorityMinimum of the built-in groups; other groups (CRDs) get 1000.
_GROUP_PRIORITY = {
    "apiregistration.k8s.io": 18000, "apps": 17800, "events.k8s.io": 17750, "authentication.k8s.io": 17700,
    "authorization.k8s.io": 17600, "autoscaling": 17500, "batch": 17400, "certificates.k8s.io": 17300,
    "networking.k8s.io": 17200, "policy": 17100, "rbac.authorization.k8s.io": 17000, "storage.k8s.io": 16800,
    "admissionregistration.k8s.io": 16700, "apiextensions.k8s.io": 16700, "scheduling.k8s.io": 16600,
    "coordination.k8s.io": 16500, "node.k8s.io": 16300, "discovery.k8s.io": 16200,
    "flowcontrol.apiserver.k8s.io": 16100, "internal.apiserver.k8s.io": 16000, "resource.k8s.io": 15900,
}
_DEFAULT_GROUP_PRIORITY = 1000
_KUBE_VERSION = re.compile(r"v(\d+)(?:(alpha|beta)(\d+))?")
_STABILITY = {None: 3, "beta": 2, "alpha": 1}


def version_order_key(version: str) -> tuple[int, int, int, str]:
    """Sort key putting versions in kube's preference order: GA, then beta, then alpha, higher numbers first,
    and versions that do not look like Kubernetes versions last, by name."""
    match = _KUBE_VERSION.fullmatch(version)
    if match is None:
        return (0, 0, 0, version)
    major, stability, minor = match.groups()
    return (-_STABILITY[stability], -int(major), -int(minor or 0), version)


def storage_version_hash(group: str, version: str, kind: str) -> str:
    """kube's ``storageVersionHash`` of a stored ``group/version/kind``."""
    digest = hashlib.sha256(f"{group}/{version}/{kind}".encode()).digest()
    return base64.b64encode(digest[:8]).decode()


def aggregated_media_type(version: AggregatedVersion) -> str:
    """The ``Content-Type`` of an aggregated discovery answer."""
    return f"application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList"


def _dumps(document: Any) -> bytes:
    return orjson.dumps(document)


class Discovery:
    """The discovery documents of one set of resource types; each is built on first request, then kept."""

    def __init__(self, types: Iterable[ResourceType]) -> None:
        self.types: tuple[ResourceType, ...] = tuple(types)
        by_group: dict[str, dict[str, list[ResourceType]]] = {}
        for t in self.types:
            by_group.setdefault(t.group, {}).setdefault(t.version, []).append(t)
        self._groups: dict[str, list[tuple[str, list[ResourceType]]]] = {
            group: sorted(versions.items(), key=lambda item: version_order_key(item[0]))
            for group, versions in by_group.items()
        }
        self._named_groups = sorted((g for g in self._groups if g),
                                    key=lambda g: (-_GROUP_PRIORITY.get(g, _DEFAULT_GROUP_PRIORITY), g))
        self._api_versions: dict[str, bytes] = {}

    # -- legacy discovery ---------------------------------------------------------------------------------
    def api_versions(self, server_address: str) -> bytes:
        """``/api``: ``APIVersions`` naming ``server_address`` (``host:port``) for every client network."""
        cached = self._api_versions.get(server_address)
        if cached is None:
            cached = self._api_versions[server_address] = _dumps({
                "kind": "APIVersions",
                "versions": [version for version, _ in self._groups.get("", [])],
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
            })
        return cached

    @functools.cached_property
    def _group_list(self) -> bytes:
        return _dumps({"kind": "APIGroupList", "apiVersion": "v1",
                       "groups": [self._group(g) for g in self._named_groups]})

    def api_group_list(self) -> bytes:
        """``/apis``: ``APIGroupList`` of every named group."""
        return self._group_list

    @functools.cached_property
    def _group_documents(self) -> dict[str, bytes]:
        return {g: _dumps({"kind": "APIGroup", "apiVersion": "v1", **self._group(g)})
                for g in self._named_groups}

    def api_group(self, group: str) -> bytes | None:
        """``/apis/<group>``: ``APIGroup``, or None for a group not served."""
        return self._group_documents.get(group)

    def _group(self, group: str) -> dict[str, Any]:
        versions = [{"groupVersion": f"{group}/{v}", "version": v} for v, _ in self._groups[group]]
        return {"name": group, "versions": versions, "preferredVersion": versions[0]}

    @functools.cached_property
    def _resource_lists(self) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        for group, versions in self._groups.items():
            for version, types in versions:
                group_version = f"{group}/{version}" if group else version
                resources = sorted((entry for t in types for entry in _legacy_resources(t)),
                                   key=lambda entry: entry["name"])
                out[group_version] = _dumps({"kind": "APIResourceList", "apiVersion": "v1",
                                             "groupVersion": group_version, "resources": resources})
        return out

    def resource_list(self, group_version: str) -> bytes | None:
        """``/api/v1`` or ``/apis/<group>/<version>``: ``APIResourceList``, or None for one not served."""
        return self._resource_lists.get(group_version)

    # -- aggregated discovery -----------------------------------------------------------------------------
    @functools.cached_property
    def _aggregated(self) -> dict[tuple[bool, str], bytes]:
        out: dict[tuple[bool, str], bytes] = {}
        core = [self._group_discovery("")] if "" in self._groups else []
        named = [self._group_discovery(g) for g in self._named_groups]
        for version in ("v2", "v2beta1"):
            for is_core, items in ((True, core), (False, named)):
                out[(is_core, version)] = _dumps({"kind": "APIGroupDiscoveryList",
                                                  "apiVersion": f"apidiscovery.k8s.io/{version}",
                                                  "metadata": {}, "items": items})
        return out

    def aggregated(self, *, core: bool, version: AggregatedVersion = "v2") -> bytes:
        """``APIGroupDiscoveryList`` of the core group (``/api``) or of the named groups (``/apis``)."""
        return self._aggregated[(core, version)]

    def _group_discovery(self, group: str) -> dict[str, Any]:
        versions = []
        for version, types in self._groups[group]:
            resources = sorted((_aggregated_resource(t) for t in types), key=lambda r: r["resource"])
            versions.append({"version": version, "resources": resources, "freshness": "Current"})
        return {"metadata": {"name": group}, "versions": versions}


def _legacy_resources(t: ResourceType) -> list[dict[str, Any]]:
    main: dict[str, Any] = {"name": t.plural, "singularName": t.singular, "namespaced": t.namespaced,
                            "kind": t.kind, "verbs": sorted(t.verbs)}
    if t.short_names:
        main["shortNames"] = list(t.short_names)
    if t.categories:
        main["categories"] = list(t.categories)
    if t.verbs != ("create",):
        main["storageVersionHash"] = storage_version_hash(t.stored_group, t.version, t.kind)
    out = [main]
    for name in t.subresources:
        sub = subresource(name)
        entry: dict[str, Any] = {"name": f"{t.plural}/{name}", "singularName": "", "namespaced": t.namespaced}
        if sub.group is not None:
            entry["group"], entry["version"] = sub.group, sub.version
        entry["kind"] = sub.kind or t.kind
        entry["verbs"] = sorted(sub.verbs)
        out.append(entry)
    return out


def _aggregated_resource(t: ResourceType) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "resource": t.plural,
        "responseKind": {"group": t.group, "version": t.version, "kind": t.kind},
        "scope": t.scope,
        "singularResource": t.singular,
        "verbs": sorted(t.verbs),
    }
    if t.short_names:
        entry["shortNames"] = list(t.short_names)
    if t.categories:
        entry["categories"] = list(t.categories)
    if t.subresources:
        entry["subresources"] = [{"subresource": name, "responseKind": subresource_kind(t, name),
                                  "verbs": sorted(subresource(name).verbs)} for name in t.subresources]
    return entry


@functools.lru_cache(maxsize=64)
def discovery_for(types: tuple[ResourceType, ...]) -> Discovery:
    """The (shared, cached) discovery documents of a set of resource types."""
    return Discovery(types)
