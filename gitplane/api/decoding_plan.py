"""Decoding plans: a type's OpenAPI schema compiled once into the shape Go's typed JSON decoding sees.

Typed decoding runs on every create, update and patch of a built-in type, so walking :class:`Schema` nodes
(resolving references and merging siblings at each step) would cost too much per request. Instead each schema
is compiled once into a tree of :class:`Plan` nodes, cached by schema identity:

    Schema(ConfigMap) -> Plan(STRUCT "ConfigMap", fields: data -> Plan(MAP of Plan(STRING)), metadata -> ...)

A plan knows what the Go field behind each schema node is: its JSON kind, its integer width, whether it is a
``metav1.Time``/``MicroTime``/``Quantity``/``IntOrString`` that parses its own string, and the Go type name
kube's error messages print (``map[string]string``, ``v1.ObjectMeta``). Objects without declared properties
(``FieldsV1``, ``RawExtension``) and ``x-kubernetes-preserve-unknown-fields`` nodes are opaque.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gitplane.api.schema import Definitions, Schema, ref_name


class Kind(enum.Enum):
    ANY = "any"
    STRING = "string"
    BYTES = "bytes"
    TIME = "time"
    MICRO_TIME = "micro-time"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    INT_OR_STRING = "int-or-string"
    QUANTITY = "quantity"
    STRUCT = "struct"
    MAP = "map"
    ARRAY = "array"


CONTAINERS = frozenset({Kind.STRUCT, Kind.MAP, Kind.ARRAY})

_MICRO_TIME = "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime"
_QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"

# Fields whose Go type is a named string type; the schema says only "string", kube's messages say more.
_NAMED_STRING_FIELDS = {
    ("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "uid"): "types.UID",
    ("io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference", "uid"): "types.UID",
    ("io.k8s.api.core.v1.ObjectReference", "uid"): "types.UID",
    ("io.k8s.api.core.v1.Secret", "type"): "v1.SecretType",
    ("io.k8s.api.core.v1.NamespaceStatus", "phase"): "v1.NamespacePhase",
}

_PRIMITIVE_GO_TYPES = {Kind.STRING: "string", Kind.BYTES: "[]uint8", Kind.NUMBER: "float64",
                       Kind.BOOLEAN: "bool", Kind.TIME: "v1.Time", Kind.ANY: "interface {}"}


@dataclass(eq=False, slots=True)
class Plan:
    """How Go decodes one schema node. Filled in place while compiling (definitions may be recursive)."""

    kind: Kind = Kind.ANY
    go_type: str = "interface {}"
    bits: int = 64
    """Width of an ``integer`` (32 or 64)."""
    struct_name: str = ""
    """For structs, the Go type name kube's errors print before the field path (``ObjectMeta``)."""
    fields: dict[str, FieldPlan] = field(default_factory=dict)
    element: Plan | None = None
    """The value of a map, the item of an array."""


@dataclass(frozen=True, slots=True)
class FieldPlan:
    plan: Plan
    go_type: str


def _go_name(definition: str) -> str:
    """``io.k8s.api.core.v1.ConfigMap`` -> ``v1.ConfigMap`` (Go package name, type name)."""
    return ".".join(definition.rsplit(".", 2)[-2:])


def _single_type(node: Mapping[str, Any]) -> str | None:
    schema_type = node.get("type")
    if isinstance(schema_type, list):
        schema_type = next((t for t in schema_type if t != "null"), None)
    return schema_type if isinstance(schema_type, str) else None


def _reference(node: Mapping[str, Any]) -> str | None:
    ref = node.get("$ref")
    if ref is None:
        all_of = node.get("allOf")
        if isinstance(all_of, list) and len(all_of) == 1 and isinstance(all_of[0], Mapping):
            ref = all_of[0].get("$ref")
    return ref_name(ref) if isinstance(ref, str) else None


class _Compiler:
    """Compiles nodes of one definitions table, sharing one plan per definition."""

    def __init__(self, definitions: Definitions) -> None:
        self.definitions = definitions
        self.named: dict[str, Plan] = {}

    def definition(self, name: str) -> Plan:
        plan = self.named.get(name)
        if plan is None:
            plan = self.named[name] = Plan(go_type=_go_name(name), struct_name=name.rsplit(".", 1)[-1])
            node = self.definitions.get(name)
            if node is None:
                raise KeyError(f"schema definition {name!r} is missing")
            if name == _MICRO_TIME:
                plan.kind = Kind.MICRO_TIME
            elif name == _QUANTITY:
                plan.kind = Kind.QUANTITY
            else:
                self.fill(plan, node, name)
        return plan

    def node(self, node: Any) -> Plan:
        if not isinstance(node, Mapping):
            return Plan()
        name = _reference(node)
        if name is not None:
            return self.definition(name)
        plan = Plan()
        self.fill(plan, node, None)
        return plan

    def fill(self, plan: Plan, node: Mapping[str, Any], name: str | None) -> None:
        """Set ``plan`` to the shape of ``node`` (the node of definition ``name``, if it is one)."""
        schema_type = _single_type(node)
        if node.get("x-kubernetes-preserve-unknown-fields"):
            plan.kind = Kind.ANY
        elif node.get("x-kubernetes-int-or-string") or node.get("format") == "int-or-string":
            plan.kind = Kind.INT_OR_STRING
            plan.go_type = plan.go_type if name else "intstr.IntOrString"
        elif schema_type == "string":
            plan.kind = {"byte": Kind.BYTES, "date-time": Kind.TIME}.get(node.get("format", ""), Kind.STRING)
        elif schema_type == "integer":
            plan.kind = Kind.INTEGER
            plan.bits = 32 if node.get("format") == "int32" else 64
            plan.go_type = f"int{plan.bits}"
        elif schema_type in ("number", "boolean"):
            plan.kind = Kind.NUMBER if schema_type == "number" else Kind.BOOLEAN
        elif schema_type == "array":
            plan.kind = Kind.ARRAY
            plan.element = self.node(node.get("items"))
            plan.go_type = "[]" + plan.element.go_type
        elif isinstance(node.get("properties"), Mapping):
            self._struct(plan, node, name)
        elif isinstance(node.get("additionalProperties"), Mapping):
            plan.kind = Kind.MAP
            plan.element = self.node(node["additionalProperties"])
            plan.go_type = "map[string]" + plan.element.go_type
        else:
            plan.kind = Kind.ANY
        if not name and plan.kind in _PRIMITIVE_GO_TYPES:
            plan.go_type = _PRIMITIVE_GO_TYPES[plan.kind]

    def _struct(self, plan: Plan, node: Mapping[str, Any], name: str | None) -> None:
        plan.kind = Kind.STRUCT
        if not name:
            plan.go_type, plan.struct_name = "struct", ""
        for field_name, child in node["properties"].items():
            child_plan = self.node(child)
            go_type = _NAMED_STRING_FIELDS.get((name or "", field_name), child_plan.go_type)
            plan.fields[field_name] = FieldPlan(child_plan, go_type)


_COMPILERS: dict[int, tuple[Definitions, _Compiler]] = {}
_PLANS: dict[tuple[int, int], tuple[Mapping[str, Any], Plan]] = {}
_MAX_CACHED = 512


def plan_for(schema: Schema) -> Plan:
    """The decoding plan of ``schema``, compiled on first use and cached while the schema is alive."""
    key = (id(schema.node), id(schema.definitions))
    cached = _PLANS.get(key)
    if cached is not None and cached[0] is schema.node:
        return cached[1]
    compiler = _compiler(schema.definitions)
    name = next((n for n, d in schema.definitions.items() if d is schema.node), None)
    plan = compiler.definition(name) if name is not None else compiler.node(schema.node)
    if len(_PLANS) >= _MAX_CACHED:
        _PLANS.pop(next(iter(_PLANS)))
    _PLANS[key] = (schema.node, plan)
    return plan


def _compiler(definitions: Definitions) -> _Compiler:
    cached = _COMPILERS.get(id(definitions))
    if cached is not None and cached[0] is definitions:
        return cached[1]
    compiler = _Compiler(definitions)
    if len(_COMPILERS) >= _MAX_CACHED:
        _COMPILERS.pop(next(iter(_COMPILERS)))
    _COMPILERS[id(definitions)] = (definitions, compiler)
    return compiler
