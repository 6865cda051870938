"""What one CustomResourceDefinition serves: a resource type per served version, and the schema of each.

A CRD is served under the names its status accepted (``status.acceptedNames``, set by the naming controller,
:mod:`gitplane.server.controllers.crd`), never under ``spec.names`` directly, and only once it is
``Established``: until then its group version is not in discovery and its URLs are 404, as in kube. Every
served version becomes a :class:`~gitplane.api.resources.ResourceType` whose objects are stored under the
identity ``customresources`` (so a CRD's objects never share keys with a built-in or an exported type of the
same group and resource) and whose schema is a definition named as kube names it in OpenAPI (the group's
labels reversed, the version, the kind: ``com.example.stable.v1.CronTab``).

    CRD (stored JSON) --served_versions--> [ServedVersion(type, schema, storage, subresources, columns)]
                      --definitions-->    {name: OpenAPI v3 schema with apiVersion, kind, metadata}, and the list
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gitplane.api.resources import ALL_VERBS, ResourceType

IDENTITY = "customresources"
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
LIST_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"
_API_VERSION: Mapping[str, Any] = {
    "type": "string",
    "description": "APIVersion defines the versioned schema of this representation of an object. Servers should "
                   "convert recognized schemas to the latest internal value, and may reject unrecognized values."}
_KIND: Mapping[str, Any] = {
    "type": "string",
    "description": "Kind is a string value representing the REST resource this object represents. Servers may "
                   "infer this from the endpoint the client submits requests to. In CamelCase."}
_ANY_OBJECT: Mapping[str, Any] = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}


@dataclass(frozen=True)
class ServedVersion:
    """One served version of a CRD, as the request handlers and documents need it."""

    type: ResourceType
    crd_name: str
    storage_version: str
    """The version objects are stored at (the CRD's one ``storage: true`` version)."""
    schema: Mapping[str, Any] = field(compare=False, hash=False)
    """The version's ``openAPIV3Schema`` as written in the CRD."""
    scale: Mapping[str, Any] | None = field(default=None, compare=False, hash=False)
    printer_columns: tuple[Mapping[str, Any], ...] = field(default=(), compare=False, hash=False)
    deprecation_warning: str | None = None
    terminating: bool = False
    """The CRD is being deleted: its objects are being removed and no new one may be created."""

    @property
    def definition_name(self) -> str:
        return definition_name(self.type.group, self.type.version, self.type.kind)


def definition_name(group: str, version: str, kind: str) -> str:
    """kube's OpenAPI name of a custom kind: ``stable.example.com``, ``v1``, ``CronTab`` →
    ``com.example.stable.v1.CronTab``."""
    return ".".join([*reversed(group.split(".")), version, kind])


def is_established(crd: Mapping[str, Any]) -> bool:
    conditions = (crd.get("status") or {}).get("conditions") or []
    return any(isinstance(c, Mapping) and c.get("type") == "Established" and c.get("status") == "True"
               for c in conditions)


def served_versions(crd: Mapping[str, Any]) -> list[ServedVersion]:
    """The served versions of an Established CRD under its accepted names (none otherwise), in the CRD's
    order. The CRD was validated when written; anything it lacks still yields nothing rather than an error."""
    if not is_established(crd):
        return []
    spec, status = crd.get("spec") or {}, crd.get("status") or {}
    names, group = status.get("acceptedNames") or {}, spec.get("group") or ""
    plural, kind = names.get("plural") or "", names.get("kind") or ""
    versions = [v for v in spec.get("versions") or [] if isinstance(v, Mapping)]
    storage = next((str(v.get("name")) for v in versions if v.get("storage")), "")
    if not (group and plural and kind and storage):
        return []
    served: list[ServedVersion] = []
    for version in versions:
        if not version.get("served") or not version.get("name"):
            continue
        subresources = version.get("subresources") or {}
        resource_type = ResourceType(
            group=group, version=str(version["name"]), plural=plural,
            singular=names.get("singular") or kind.lower(), kind=kind,
            namespaced=spec.get("scope") != "Cluster",
            schema=definition_name(group, str(version["name"]), kind),
            short_names=tuple(names.get("shortNames") or ()), categories=tuple(names.get("categories") or ()),
            verbs=ALL_VERBS, subresources=tuple(s for s in ("status", "scale") if s in subresources),
            storage_identity=IDENTITY,
            field_selectors=tuple(str(f.get("jsonPath", "")).lstrip(".")
                                  for f in version.get("selectableFields") or [] if isinstance(f, Mapping)))
        served.append(ServedVersion(
            type=resource_type, crd_name=str((crd.get("metadata") or {}).get("name") or ""),
            storage_version=storage,
            schema=(version.get("schema") or {}).get("openAPIV3Schema") or _ANY_OBJECT,
            scale=subresources.get("scale"),
            printer_columns=tuple(c for c in version.get("additionalPrinterColumns") or [] if isinstance(c, Mapping)),
            deprecation_warning=_deprecation(version, group, kind),
            terminating=bool((crd.get("metadata") or {}).get("deletionTimestamp"))))
    return served


def _deprecation(version: Mapping[str, Any], group: str, kind: str) -> str | None:
    if not version.get("deprecated"):
        return None
    return version.get("deprecationWarning") or f"{group}/{version.get('name')} {kind} is deprecated"


def definitions(served: ServedVersion) -> dict[str, dict[str, Any]]:
    """The OpenAPI definitions of a served version: its kind and its list kind."""
    t = served.type
    name = served.definition_name
    return {name: definition(served), name + "List": {
        "description": f"{t.kind}List is a list of {t.kind}",
        "type": "object",
        "required": ["items"],
        "properties": {
            "apiVersion": _API_VERSION,
            "items": {"description": f"List of {t.plural}. More info: "
                                     "https://git.k8s.io/community/contributors/devel/sig-architecture/"
                                     "api-conventions.md",
                      "type": "array", "items": {"$ref": f"#/components/schemas/{name}"}},
            "kind": _KIND,
            "metadata": {"allOf": [{"$ref": f"#/components/schemas/{LIST_META}"}],
                         "description": "Standard list metadata. More info: "
                                        "https://git.k8s.io/community/contributors/devel/sig-architecture/"
                                        "api-conventions.md#types-kinds"},
        },
        "x-kubernetes-group-version-kind": [{"group": t.group, "kind": t.list_kind, "version": t.version}],
    }}


def definition(served: ServedVersion) -> dict[str, Any]:
    """The version's schema as an OpenAPI definition: kube adds ``apiVersion``, ``kind`` and ``metadata`` (a
    reference to ObjectMeta) and the group-version-kind extension that clients read the kind from."""
    schema = copy.deepcopy(dict(served.schema))
    properties = dict(schema.get("properties") or {})
    properties["apiVersion"] = _API_VERSION
    properties["kind"] = _KIND
    properties["metadata"] = {"allOf": [{"$ref": f"#/components/schemas/{OBJECT_META}"}],
                              "description": "Standard object's metadata."}
    schema["properties"] = properties
    schema.setdefault("type", "object")
    t = served.type
    schema["x-kubernetes-group-version-kind"] = [{"group": t.group, "kind": t.kind, "version": t.version}]
    return schema
