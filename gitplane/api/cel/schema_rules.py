"""Compile every ``x-kubernetes-validations`` rule of a CRD schema once, into a tree that mirrors the schema.

The CRD code calls :func:`compile_schema` when a CRD (or an APIResourceSchema) is registered, reports
``errors`` as the 422 of that registration, and keeps the result; each write of a custom resource then calls
``validate(obj, old)``, which only evaluates:

    openAPIV3Schema --compile_schema()--> CompiledSchemaRules{errors, root: RuleNode tree}
    RuleNode: rules (CompiledRule...) + properties / additionalProperties / items children that hold rules

Rules sit on any node; the walk follows ``properties``, ``additionalProperties`` and ``items`` (and branches
without rules are dropped, so evaluation visits only what has rules). Results are cached by the schema's
content (sorted JSON), so a second CRD with the same schema, or a re-registration, costs a
lookup (keyed by content, not identity: a schema dict edited in place is a new schema). Keep the result per
registered schema; ``compile_count()`` says how many rules were compiled in this process (tests use it).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import orjson

from gitplane.api.cel import evaluate, values
from gitplane.api.cel import rules as rule_compiler
from gitplane.api.cel.rules import CompiledRule
from gitplane.api.errors import FieldError

DEFAULT_PATH = "spec.validation.openAPIV3Schema"
_CACHE_SIZE = 512


@dataclass(frozen=True, slots=True)
class RuleNode:
    """The compiled rules of one schema node, and the children that (transitively) have rules."""

    schema_type: str
    rules: tuple[CompiledRule, ...]
    resource_root: bool
    properties: dict[str, RuleNode] = field(default_factory=dict)
    additional: RuleNode | None = None
    items: RuleNode | None = None
    list_map_keys: tuple[str, ...] | None = None
    """For ``x-kubernetes-list-type: map``: the keys that pair new items with old ones (others have no old)."""
    view: Any = None
    """How values of this node are shown to CEL (``values.plan``), or ``None`` for the JSON as it is."""


@dataclass(frozen=True, slots=True)
class CompiledSchemaRules:
    """What a CRD's schema compiles to: its compile errors, or a rule tree to evaluate per write."""

    errors: tuple[FieldError, ...]
    root: RuleNode | None
    rule_count: int

    def validate(self, obj: Any, old: Any = None, path: str = "") -> list[FieldError]:
        """Evaluate the rules against ``obj`` (and ``old`` on update): kube's field errors, for a 422."""
        if self.root is None:
            return []
        return evaluate.validate(self.root, obj, old, path)


_lock = threading.Lock()
_by_content: OrderedDict[bytes, CompiledSchemaRules] = OrderedDict()
_compiled = [0]


def compile_count() -> int:
    """Rules compiled in this process so far (cache hits compile nothing)."""
    return _compiled[0]


def compile_schema(schema: dict[str, Any], root: bool = True, path: str = DEFAULT_PATH) -> CompiledSchemaRules:
    """Compile (or fetch from the cache) the rules of ``schema``; ``root`` says it is a resource's root, where
    ``self.metadata`` holds only name and generateName; ``path`` prefixes compile errors."""
    key = orjson.dumps(schema, option=orjson.OPT_SORT_KEYS) + f"\0{root}\0{path}".encode()
    with _lock:
        result = _by_content.get(key)
        if result is not None:
            _by_content.move_to_end(key)
            return result
    problems: list[FieldError] = []
    counter = [0]
    node = _walk(schema, root, path, problems, counter=counter)
    result = CompiledSchemaRules(tuple(problems), None if problems else node, counter[0])
    with _lock:
        _by_content[key] = result
        while len(_by_content) > _CACHE_SIZE:
            _by_content.popitem(last=False)
    return result


def _walk(schema: Any, resource_root: bool, path: str, problems: list[FieldError], *,
          counter: list[int], uncorrelatable: str | None = None) -> RuleNode | None:
    if not isinstance(schema, dict):
        return None
    compiled: list[CompiledRule] = []
    for index, entry in enumerate(schema.get("x-kubernetes-validations") or []):
        counter[0] += 1
        _compiled[0] += 1
        rule, found = rule_compiler.compile_rule(entry if isinstance(entry, dict) else {}, schema, resource_root,
                                                 f"{path}.x-kubernetes-validations[{index}]", uncorrelatable)
        problems.extend(found)
        if rule is not None:
            compiled.append(rule)
    properties: dict[str, RuleNode] = {}
    for name, child in (schema.get("properties") or {}).items():
        node = _walk(child, _embedded(child), f"{path}.properties[{name}]", problems, counter=counter,
                     uncorrelatable=uncorrelatable)
        if node is not None:
            properties[name] = node
    additional = schema.get("additionalProperties")
    additional_node = None
    if isinstance(additional, dict):
        additional_node = _walk(additional, _embedded(additional), f"{path}.additionalProperties", problems,
                                counter=counter, uncorrelatable=uncorrelatable)
    items = schema.get("items")
    if uncorrelatable is None and schema.get("x-kubernetes-list-type") != "map":
        uncorrelatable = f"{path}.items"
    items_node = None
    if isinstance(items, dict):
        items_node = _walk(items, _embedded(items), f"{path}.items", problems, counter=counter,
                           uncorrelatable=uncorrelatable)
    if not compiled and not properties and additional_node is None and items_node is None:
        return None
    keys = tuple(schema.get("x-kubernetes-list-map-keys") or ()) \
        if schema.get("x-kubernetes-list-type") == "map" else None
    return RuleNode(str(schema.get("type") or ""), tuple(compiled), resource_root, properties, additional_node,
                    items_node, keys, values.plan(schema, resource_root))


def _embedded(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("x-kubernetes-embedded-resource") is True
