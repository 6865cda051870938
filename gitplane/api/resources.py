"""Resource types: what the server knows about one served group/version/resource.

A :class:`ResourceType` describes one REST resource as discovery, OpenAPI and the request handlers see it:
its names, scope, verbs, subresources, the schema definition of its kind, and where its objects are stored.
Two types may share storage (core ``v1`` Events and ``events.k8s.io/v1`` Events are two views of one stored
object), which is why the storage group/resource is part of the description rather than derived from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclass(frozen=True, slots=True)
class GroupVersionResource:
    group: str
    version: str
    resource: str

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


@dataclass(frozen=True, slots=True)
class ResourceType:
    """One served resource of one group version."""

    group: str
    version: str
    plural: str
    singular: str
    kind: str
    namespaced: bool
    schema: str
    """The definition name of the kind's schema, e.g. ``io.k8s.api.core.v1.ConfigMap``."""
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ALL_VERBS
    subresources: tuple[str, ...] = ()
    storage_group: str | None = None
    """The group objects are stored under, when it differs from ``group`` (a second view of a type)."""
    storage_identity: str = ""
    field_selectors: tuple[str, ...] = field(default=())
    """Type-specific field selector labels beyond ``metadata.name`` and ``metadata.namespace``."""

    @property
    def list_kind(self) -> str:
        return f"{self.kind}List"

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def api_version(self) -> str:
        return self.group_version

    @property
    def gvr(self) -> GroupVersionResource:
        return GroupVersionResource(self.group, self.version, self.plural)

    @property
    def stored_group(self) -> str:
        return self.group if self.storage_group is None else self.storage_group

    @property
    def scope(self) -> str:
        return "Namespaced" if self.namespaced else "Cluster"

    def url_path(self, namespace: str = "", name: str = "") -> str:
        """The path of the collection (or of one object) under the API root."""
        root = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        ns = f"/namespaces/{namespace}" if self.namespaced and namespace else ""
        tail = f"/{name}" if name else ""
        return f"{root}{ns}/{self.plural}{tail}"
