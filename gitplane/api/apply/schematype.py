"""The shape of a type as server-side apply sees it, compiled once from an OpenAPI schema.

Apply needs far less than validation does: for each node, whether it is a map (granular or atomic), a list
(atomic, a set, or a map-list with its key fields and their defaults) or a scalar, and the type of each
child. :func:`type_of` turns a :class:`~gitplane.api.schema.Schema` into a :class:`TypeNode` following
kube-openapi's conversion to structured-merge-diff schemas:

- ``type: object``: a map, atomic with ``x-kubernetes-map-type: atomic``; properties are *named* fields,
  other keys take ``additionalProperties`` (or are deduced from their values).
- ``type: array``: ``x-kubernetes-list-type`` decides; without it, ``x-kubernetes-patch-strategy: merge``
  makes a map-list keyed by ``x-kubernetes-patch-merge-key`` (a set without a merge key); else atomic.
- no type (int-or-string, preserve-unknown-fields): map, list or scalar according to the value.
- ``Quantity`` and ``RawExtension`` are opaque scalars, as kube hard-codes them.
- no schema at all (``None``): the *deduced* type: maps granular, lists atomic, scalars leaves.

Children are compiled lazily and memoized on their parent, and types named by ``$ref`` are shared per
definitions table, so a request walks plain Python objects instead of re-reading the schema per field.
Only the schema's raw (reference-resolved) nodes are read; :class:`Schema` resolves the references.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gitplane.api import schema as schema_mod
from gitplane.api.schema import Schema

Node = Mapping[str, Any]
Definitions = Mapping[str, Node]

_OPAQUE_DEFINITIONS = frozenset({"io.k8s.apimachinery.pkg.api.resource.Quantity",
                                 "io.k8s.apimachinery.pkg.runtime.RawExtension"})
_MAX_ROOTS = 512
_MAX_TABLES = 16


class MapShape:
    """How a JSON object of this type is owned: whole (atomic) or field by field."""

    __slots__ = ("_children", "_properties", "_table", "atomic", "element")

    def __init__(self, node: Node, table: _Table, *, atomic: bool = False) -> None:
        self.atomic = atomic or node.get("x-kubernetes-map-type") == "atomic"
        properties = node.get("properties")
        self._properties: Node = properties if isinstance(properties, Mapping) else {}
        self._table = table
        self._children: dict[str, TypeNode] = {}
        extra = node.get("additionalProperties")
        self.element = _compile_child(extra, table) if isinstance(extra, Mapping) else DEDUCED
        """The type of keys the object does not declare: ``additionalProperties``, else deduced from the
        value (kube deduces them under preserve-unknown-fields and rejects them elsewhere; pruning and
        validation come before apply here, so whatever is left is treated as deduced)."""

    def named(self, name: str) -> bool:
        """Whether ``name`` is a declared property (a struct field), not a free-form key."""
        return name in self._properties

    def field(self, name: str) -> TypeNode:
        """The type of the value under key ``name``."""
        child = self._children.get(name)
        if child is None:
            raw = self._properties.get(name)
            child = _compile_child(raw, self._table) if isinstance(raw, Mapping) else self.element
            self._children[name] = child
        return child


class ListShape:
    """How a JSON array of this type is owned: whole (atomic), by value (set) or by key fields (map)."""

    __slots__ = ("_element", "_items", "_table", "keys", "kind")

    def __init__(self, node: Node, table: _Table) -> None:
        self.kind, self.keys = _list_kind(node)
        items = node.get("items")
        self._items: Node | None = items if isinstance(items, Mapping) else None
        self._table = table
        self._element: TypeNode | None = None

    @property
    def element(self) -> TypeNode:
        if self._element is None:
            items = self._items
            self._element = UNTYPED_ATOMIC if items is None else _compile_child(items, self._table)
        return self._element

    def key_default(self, name: str) -> Any:
        """The schema default of key field ``name`` (kube fills a missing key from it), or None."""
        return self.element.defaults.get(name)


class TypeNode:
    """One node of a compiled type: the shapes a value here may take (at most one map and one list)."""

    __slots__ = ("_defaults", "_node", "_table", "list", "map")

    def __init__(self, node: Node, table: _Table, *, map_shape: bool, list_shape: bool) -> None:
        self.map = MapShape(node, table) if map_shape else None
        self.list = ListShape(node, table) if list_shape else None
        self._node = node
        self._table = table
        self._defaults: dict[str, Any] | None = None

    @property
    def defaults(self) -> Mapping[str, Any]:
        """Defaults of this object type's properties (kube fills missing map-list keys from them)."""
        if self._defaults is None:
            found: dict[str, Any] = {}
            properties = self._node.get("properties")
            if isinstance(properties, Mapping):
                for name, raw in properties.items():
                    if isinstance(raw, Mapping):
                        default = Schema.of(raw, self._table.definitions).node.get("default")
                        if default is not None:
                            found[name] = default
            self._defaults = found
        return self._defaults


def _list_kind(node: Node) -> tuple[str, tuple[str, ...]]:
    """kube-openapi's list element relationship: ``atomic``, ``set`` or ``map`` (with its keys)."""
    declared = node.get("x-kubernetes-list-type")
    if isinstance(declared, str):
        keys = node.get("x-kubernetes-list-map-keys")
        if declared == "map" and isinstance(keys, list) and keys:
            return "map", tuple(str(k) for k in keys)
        return ("set", ()) if declared == "set" else ("atomic", ())
    if node.get("x-kubernetes-patch-strategy") in ("merge", "merge,retainKeys"):
        key = node.get("x-kubernetes-patch-merge-key")
        return ("map", (key,)) if isinstance(key, str) and key else ("set", ())
    return "atomic", ()


def _type(node: Node) -> str | None:
    """The node's type (the first non-null one of a list of types), None for "any type"."""
    if node.get("x-kubernetes-int-or-string") or node.get("format") == "int-or-string":
        return None
    declared = node.get("type")
    if isinstance(declared, list):
        declared = next((t for t in declared if t != "null"), None)
    return declared if isinstance(declared, str) else None


def _compile(node: Node, table: _Table) -> TypeNode:
    kind = _type(node)
    if kind == "object":
        return TypeNode(node, table, map_shape=True, list_shape=False)
    if kind == "array":
        return TypeNode(node, table, map_shape=False, list_shape=True)
    if kind is None:
        return TypeNode(node, table, map_shape=True, list_shape=True)
    return SCALAR


def _compile_child(raw: Node, table: _Table) -> TypeNode:
    ref = _reference(raw)
    if ref is None:
        return _compile(Schema.of(raw, table.definitions).node, table)
    name = schema_mod.ref_name(ref)
    if name in _OPAQUE_DEFINITIONS:
        return SCALAR
    map_type = raw.get("x-kubernetes-map-type")
    key = (name, map_type if isinstance(map_type, str) else "")
    named = table.named.get(key)
    if named is None:
        named = table.named[key] = _compile(Schema.of(raw, table.definitions).node, table)
    return named


def _reference(raw: Node) -> str | None:
    ref = raw.get("$ref")
    if isinstance(ref, str):
        return ref
    all_of = raw.get("allOf")
    if isinstance(all_of, list) and len(all_of) == 1 and isinstance(all_of[0], Mapping):
        inner = all_of[0].get("$ref")
        return inner if isinstance(inner, str) else None
    return None


class _Table:
    """Compiled types of one definitions table: named types by (name, map-type override), and roots."""

    __slots__ = ("definitions", "named", "roots")

    def __init__(self, definitions: Definitions) -> None:
        self.definitions = definitions
        self.named: dict[tuple[str, str], TypeNode] = {}
        self.roots: dict[int, tuple[Node, TypeNode]] = {}


_tables: dict[int, _Table] = {}
_NO_DEFINITIONS = _Table({})


def type_of(schema: Schema | None) -> TypeNode:
    """The compiled type of ``schema`` (memoized per schema node), or the deduced type for ``None``."""
    if schema is None:
        return DEDUCED
    definitions = schema.definitions
    table = _NO_DEFINITIONS
    if definitions:
        found = _tables.get(id(definitions))
        if found is None or found.definitions is not definitions:
            if len(_tables) >= _MAX_TABLES:
                _tables.clear()
            found = _tables[id(definitions)] = _Table(definitions)
        table = found
    cached = table.roots.get(id(schema.node))
    if cached is not None and cached[0] is schema.node:
        return cached[1]
    if len(table.roots) >= _MAX_ROOTS:
        table.roots.clear()
    compiled = _compile(schema.node, table)
    table.roots[id(schema.node)] = (schema.node, compiled)
    return compiled


SCALAR = TypeNode({}, _NO_DEFINITIONS, map_shape=False, list_shape=False)
"""A leaf: strings, numbers, booleans, and the opaque Quantity and RawExtension."""

DEDUCED = TypeNode({}, _NO_DEFINITIONS, map_shape=False, list_shape=False)
"""The type of values without a schema (kube's ``__untyped_deduced_``): granular maps of deduced values,
atomic lists, scalar leaves."""

UNTYPED_ATOMIC = TypeNode({}, _NO_DEFINITIONS, map_shape=False, list_shape=False)
"""Anything, owned whole (kube's ``__untyped_atomic_``): list elements without an item schema."""

DEDUCED.map = MapShape({}, _NO_DEFINITIONS)
DEDUCED.list = ListShape({}, _NO_DEFINITIONS)
UNTYPED_ATOMIC.map = MapShape({}, _NO_DEFINITIONS, atomic=True)
UNTYPED_ATOMIC.list = ListShape({}, _NO_DEFINITIONS)
