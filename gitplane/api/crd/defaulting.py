"""Defaulting: filling in a structural schema's ``default`` values, and kube's handling of ``null``.

kube defaults custom objects on every write and on every read from storage (so a default added to a CRD
shows up in old objects), in two steps that :func:`apply_defaults` runs together:

    prune_nulls(obj, schema)   a ``null`` where the schema does not allow null (not ``nullable``) and has no
                               default is removed, as if the field were absent
    default(obj, schema)       an absent field whose schema has a ``default`` gets a copy of it; so does a
                               ``null`` in a non-nullable field with a default (and a null list item or map
                               value whose schema has one); then defaulting recurses into every value

Defaults are applied top down: a defaulted object is itself defaulted inside. A nullable field keeps its
``null``. Values are deep-copied, never shared with the schema.

Both steps walk the value, not the schema, and look up what they need of each schema node in a :class:`_Node`
compiled once per schema (cached as :mod:`.validity` caches its checks): the schemas of the node's fields, its
own default and nullability, and whether defaulting can change anything at or below it at all. Defaulting skips
every subtree where it cannot (most of a schema has no default), and both skip scalar values, which hold
nothing to prune or default below them.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gitplane.api.crd import validity

Schema = Mapping[str, Any]
_CONTAINERS = (dict, list)  # what may hold a null to prune


@dataclass(frozen=True, slots=True)
class _Node:
    """What defaulting needs of one schema node."""

    fields: Mapping[str, _Node]  # the properties that are schemas
    extra: _Node | None  # additionalProperties, when a schema
    items: _Node | None  # items, when a schema
    defaults: tuple[tuple[str, Any, bool], ...]  # (property, its non-null default, whether it fills a null)
    default: Any  # this node's own default (None when it has none)
    drops_null: bool  # a null here is pruned: not nullable, no default
    fills_null: bool  # a null here is defaulted: not nullable, a default
    drops_nulls_below: bool  # a field somewhere below may drop a null
    changes: bool  # defaulting may change a value here or below


def _compile(schema: Schema) -> _Node:
    props = schema.get("properties")
    fields = (
        {key: _compile(sub) for key, sub in props.items() if isinstance(sub, Mapping)}
        if isinstance(props, Mapping)
        else {}
    )
    extra, items = (schema.get(key) for key in ("additionalProperties", "items"))
    extra_node = _compile(extra) if isinstance(extra, Mapping) else None
    items_node = _compile(items) if isinstance(items, Mapping) else None
    children = [*fields.values(), *([extra_node] if extra_node else [])]
    defaults = tuple((key, sub.default, sub.fills_null) for key, sub in fields.items() if sub.default is not None)
    default = schema.get("default")
    nullable = bool(schema.get("nullable"))
    return _Node(
        fields=fields,
        extra=extra_node,
        items=items_node,
        defaults=defaults,
        default=default,
        drops_null=not nullable and default is None,
        fills_null=not nullable and default is not None,
        drops_nulls_below=any(c.drops_null or c.drops_nulls_below for c in children)
        or (items_node is not None and items_node.drops_nulls_below),
        changes=bool(defaults)
        or any(c.changes for c in fields.values())
        or any(c is not None and (c.changes or c.fills_null) for c in (extra_node, items_node)),
    )


_compiled = validity.PerSchema(_compile)


def prune_nulls(value: Any, schema: Schema | None) -> None:
    """Remove nulls that are neither allowed (nullable) nor defaulted, in place."""
    if schema is not None:
        _prune_nulls(value, _compiled(schema))


def _prune_nulls(value: Any, node: _Node) -> None:
    if isinstance(value, dict):
        doomed: list[str] = []
        for key, child in value.items():
            sub = node.fields.get(key, node.extra)
            if sub is None:
                continue
            if child is None:
                if sub.drops_null:
                    doomed.append(key)
            elif sub.drops_nulls_below and isinstance(child, _CONTAINERS):
                _prune_nulls(child, sub)
        for key in doomed:
            del value[key]
    elif isinstance(value, list) and node.items is not None and node.items.drops_nulls_below:
        for item in value:
            _prune_nulls(item, node.items)


def default(value: Any, schema: Schema | None) -> None:
    """Apply the schema's defaults to ``value`` in place."""
    if schema is not None:
        _default(value, _compiled(schema))


def _default(value: Any, node: _Node) -> None:
    if not node.changes:
        return
    if isinstance(value, dict):
        for key, fill, fills_null in node.defaults:
            if key not in value or (fills_null and value[key] is None):
                value[key] = copy.deepcopy(fill)
        for key, child in value.items():  # assigning existing keys only: the iteration stays valid
            sub = node.fields.get(key)
            if sub is None:
                sub = node.extra
                if sub is None:
                    continue
                if child is None and sub.fills_null:
                    value[key] = copy.deepcopy(sub.default)
            if sub.changes:
                _default(value[key], sub)
    elif isinstance(value, list) and node.items is not None:
        items = node.items
        for i, item in enumerate(value):
            if item is None and items.fills_null:
                value[i] = copy.deepcopy(items.default)
            if items.changes:
                _default(value[i], items)


def apply_defaults(obj: dict[str, Any], schema: Schema) -> None:
    """kube's null pruning then defaulting of a whole object, in place."""
    prune_nulls(obj, schema)
    default(obj, schema)
