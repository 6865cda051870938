"""A navigator over OpenAPI v3 schemas, the one view of a type's shape that every schema-driven part uses.

Strategic merge patch, server-side apply, validation and pruning all walk an object and its schema together.
They do it through :class:`Schema`, which resolves ``$ref`` (and kube's ``allOf: [{$ref}]`` wrapping) lazily
against a definitions table and exposes the Kubernetes extensions (list types and keys, map type, patch
strategy and merge key, int-or-string, preserve-unknown-fields, embedded resources).

Built-in types come with definitions named by Go package path (``io.k8s.api.core.v1.ConfigMap``); a CRD's
structural schema has no references and uses an empty table. ``None`` stands for "no schema known": callers
treat such values as opaque (atomic lists, granular maps, any type).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Definitions = Mapping[str, Mapping[str, Any]]

_REF_PREFIXES = ("#/components/schemas/", "#/definitions/", "#/$defs/")


def ref_name(ref: str) -> str:
    """The definition name a ``$ref`` points at."""
    for prefix in _REF_PREFIXES:
        if ref.startswith(prefix):
            return ref[len(prefix):]
    raise ValueError(f"unsupported schema reference {ref!r}")


def _resolve(node: Mapping[str, Any], definitions: Definitions) -> Mapping[str, Any]:
    """Follow references until a node that carries its own shape; sibling keys of a ref win (kube puts
    ``description`` and ``default`` beside ``allOf: [{$ref}]``)."""
    seen = 0
    while True:
        ref = node.get("$ref")
        if ref is None:
            all_of = node.get("allOf")
            if isinstance(all_of, list) and len(all_of) == 1 and "$ref" in all_of[0]:
                ref = all_of[0]["$ref"]
        if ref is None:
            return node
        target = definitions.get(ref_name(ref))
        if target is None:
            raise KeyError(f"schema definition {ref_name(ref)!r} is missing")
        siblings = {k: v for k, v in node.items() if k not in ("$ref", "allOf")}
        node = {**target, **siblings} if siblings else target
        seen += 1
        if seen > 64:
            raise ValueError("schema reference cycle")


@dataclass(frozen=True, slots=True)
class Schema:
    """One schema node, with references resolved, within its definitions table."""

    node: Mapping[str, Any]
    definitions: Definitions

    @classmethod
    def of(cls, node: Mapping[str, Any], definitions: Definitions | None = None) -> Schema:
        defs = definitions or {}
        return cls(_resolve(node, defs), defs)

    @classmethod
    def named(cls, name: str, definitions: Definitions) -> Schema:
        return cls.of({"$ref": f"#/components/schemas/{name}"}, definitions)

    def _child(self, node: Any) -> Schema | None:
        if not isinstance(node, Mapping):
            return None
        return Schema.of(node, self.definitions)

    # -- shape -------------------------------------------------------------------------------------------
    @property
    def type(self) -> str | None:
        """``object``, ``array``, ``string``, ``integer``, ``number``, ``boolean`` or None (any)."""
        t = self.node.get("type")
        if isinstance(t, list):  # JSON-schema style ["string", "null"]
            t = next((x for x in t if x != "null"), None)
        if t is None and self.int_or_string:
            return None
        return t if isinstance(t, str) else None

    @property
    def format(self) -> str | None:
        f = self.node.get("format")
        return f if isinstance(f, str) else None

    @property
    def description(self) -> str:
        d = self.node.get("description")
        return d if isinstance(d, str) else ""

    @property
    def properties(self) -> Mapping[str, Any]:
        props = self.node.get("properties")
        return props if isinstance(props, Mapping) else {}

    def field(self, name: str) -> Schema | None:
        """The schema of field ``name`` of an object (a declared property, else ``additionalProperties``)."""
        props = self.properties
        if name in props:
            return self._child(props[name])
        return self.additional_properties

    def has_property(self, name: str) -> bool:
        return name in self.properties

    @property
    def additional_properties(self) -> Schema | None:
        extra = self.node.get("additionalProperties")
        if extra is True:
            return Schema.of({}, self.definitions)
        return self._child(extra)

    @property
    def allows_unknown_fields(self) -> bool:
        """Whether an object node keeps fields it does not declare."""
        return self.preserve_unknown_fields or (
            "additionalProperties" in self.node and self.node.get("additionalProperties") is not False)

    @property
    def items(self) -> Schema | None:
        return self._child(self.node.get("items"))

    @property
    def required(self) -> list[str]:
        req = self.node.get("required")
        return list(req) if isinstance(req, list) else []

    @property
    def enum(self) -> list[Any] | None:
        e = self.node.get("enum")
        return list(e) if isinstance(e, list) else None

    @property
    def default(self) -> Any:
        return self.node.get("default")

    @property
    def nullable(self) -> bool:
        t = self.node.get("type")
        return bool(self.node.get("nullable")) or (isinstance(t, list) and "null" in t)

    # -- Kubernetes extensions ---------------------------------------------------------------------------
    @property
    def int_or_string(self) -> bool:
        if self.node.get("x-kubernetes-int-or-string"):
            return True
        return self.format == "int-or-string"

    @property
    def preserve_unknown_fields(self) -> bool:
        return bool(self.node.get("x-kubernetes-preserve-unknown-fields"))

    @property
    def embedded_resource(self) -> bool:
        return bool(self.node.get("x-kubernetes-embedded-resource"))

    @property
    def list_type(self) -> str:
        """``atomic``, ``set`` or ``map``: how list elements are identified (default atomic)."""
        lt = self.node.get("x-kubernetes-list-type")
        if isinstance(lt, str):
            return lt
        if self.patch_strategy_has("merge") and self.patch_merge_key:
            return "map"
        return "atomic"

    @property
    def list_map_keys(self) -> list[str]:
        keys = self.node.get("x-kubernetes-list-map-keys")
        if isinstance(keys, list) and keys:
            return [str(k) for k in keys]
        merge_key = self.patch_merge_key
        return [merge_key] if merge_key else []

    @property
    def map_type(self) -> str:
        """``granular`` (default) or ``atomic`` for objects and maps."""
        mt = self.node.get("x-kubernetes-map-type")
        return mt if isinstance(mt, str) else "granular"

    @property
    def patch_strategy(self) -> str:
        """The strategic-merge-patch strategy, e.g. ``merge``, ``retainKeys`` or ``merge,retainKeys``."""
        ps = self.node.get("x-kubernetes-patch-strategy")
        return ps if isinstance(ps, str) else ""

    def patch_strategy_has(self, strategy: str) -> bool:
        return strategy in self.patch_strategy.split(",")

    @property
    def patch_merge_key(self) -> str:
        mk = self.node.get("x-kubernetes-patch-merge-key")
        return mk if isinstance(mk, str) else ""

    @property
    def group_version_kinds(self) -> list[dict[str, str]]:
        gvk = self.node.get("x-kubernetes-group-version-kind")
        return list(gvk) if isinstance(gvk, list) else []
