"""Pruning: dropping the fields of a custom object that its structural schema does not specify.

kube prunes every custom object on decode, on write and on read from storage. A field survives when the schema
names it under ``properties``, or the object node has ``additionalProperties`` (then every key is kept and its
value pruned against that schema), or a node on the way has ``x-kubernetes-preserve-unknown-fields: true``
(unknown fields kept there, known ones still pruned by their own schema). ``apiVersion``, ``kind`` and
``metadata`` are kept at the root and in every ``x-kubernetes-embedded-resource`` node; their ObjectMeta is
trimmed to ObjectMeta's own fields (:mod:`.embedded`).

    prune(obj, schema) -> list[str]    prunes ``obj`` in place; returns the pruned fields' paths, sorted
                                       (``spec.foo``, ``spec.items[0].bar``) for ``fieldValidation``:
                                       Strict refuses with ``unknown field "spec.foo"``, Warn warns

Pruning is idempotent: a pruned object prunes to itself with no paths.

The walk follows the value, looking up what it needs of each schema node in a :class:`_Node` compiled once per
schema (cached as :mod:`.validity` caches its checks): the node's known fields and their nodes, whether it
keeps every key (``additionalProperties``), preserves unknown fields, or is an embedded resource, and whether
keeping its unknown fields leaves nothing below it to prune. Scalars are never visited (nothing below them can
be pruned), so a path is joined only for an object or a list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gitplane.api.crd import embedded, validity

Schema = Mapping[str, Any]
_META_FIELDS = frozenset({"apiVersion", "kind", "metadata"})
_CONTAINERS = (dict, list)  # what may hold something to prune


@dataclass(frozen=True, slots=True)
class _Node:
    """What pruning needs of one schema node."""

    properties: Mapping[str, _Node]  # each property's node (one that is not a schema: the empty schema's)
    keeps_every_key: bool  # additionalProperties is set (true, false or a schema): no key is unknown
    extra: _Node | None  # additionalProperties, when a schema: what the other keys are pruned by
    items: _Node | None  # items, when a schema
    preserves_unknown: bool  # x-kubernetes-preserve-unknown-fields: true
    embedded: bool  # x-kubernetes-embedded-resource: apiVersion, kind and metadata are kept
    keeps_all: bool  # keeping unknown fields here leaves nothing to prune at or below this node


_EMPTY: Schema = {}


def _compile(schema: Schema) -> _Node:
    props = schema.get("properties")
    properties = (
        {key: _compile(sub if isinstance(sub, Mapping) else _EMPTY) for key, sub in props.items()}
        if isinstance(props, Mapping)
        else {}
    )
    extra, items = (schema.get(key) for key in ("additionalProperties", "items"))
    items_node = _compile(items) if isinstance(items, Mapping) else None
    keeps_every_key = "additionalProperties" in schema
    is_embedded = bool(schema.get("x-kubernetes-embedded-resource"))
    return _Node(
        properties=properties,
        keeps_every_key=keeps_every_key,
        extra=_compile(extra) if isinstance(extra, Mapping) else None,
        items=items_node,
        preserves_unknown=schema.get("x-kubernetes-preserve-unknown-fields") is True,
        embedded=is_embedded,
        keeps_all=not properties and not keeps_every_key and not is_embedded
        and (items_node is None or items_node.keeps_all),
    )


_compiled = validity.PerSchema(_compile)


def _join(parent: str, key: str) -> str:
    return f"{parent}.{key}" if parent else key


def _prune(value: Any, node: _Node | None, path: str, found: list[str], embedded_here: bool) -> None:
    if node is not None and node.preserves_unknown:
        if embedded_here or not node.keeps_all:
            _keep_unknown(value, node, path, found, embedded_here)
        return
    if isinstance(value, dict):
        if node is None:
            found.extend(_join(path, key) for key in value)
            value.clear()
            return
        _prune_fields(value, node, path, found, embedded_here or node.embedded, drop_unknown=True)
    elif isinstance(value, list):
        items = None if node is None else node.items
        for i, item in enumerate(value):
            if isinstance(item, _CONTAINERS):
                _prune(item, items, f"{path}[{i}]", found, False)


def _prune_fields(value: dict[str, Any], node: _Node, path: str, found: list[str], is_embedded: bool, *,
                  drop_unknown: bool) -> None:
    """Prune an object's known fields by their nodes; its unknown ones are dropped, or kept."""
    for key in list(value):
        if is_embedded and key in _META_FIELDS:
            if key == "metadata":
                found.extend(embedded.prune_object_meta(value, path))
            continue
        sub = node.properties.get(key)
        if sub is None and not node.keeps_every_key:
            if drop_unknown:
                found.append(_join(path, key))
                del value[key]
            continue
        child = value[key]
        if isinstance(child, _CONTAINERS):
            _prune(child, sub if sub is not None else node.extra, _join(path, key), found, False)


def _keep_unknown(value: Any, node: _Node, path: str, found: list[str], embedded_here: bool) -> None:
    if isinstance(value, dict):
        _prune_fields(value, node, path, found, embedded_here or node.embedded, drop_unknown=False)
    elif isinstance(value, list) and node.items is not None and not node.items.keeps_all:
        for i, item in enumerate(value):
            if isinstance(item, _CONTAINERS):
                _keep_unknown(item, node.items, f"{path}[{i}]", found, False)


def prune(obj: dict[str, Any], schema: Schema, *, is_resource_root: bool = True) -> list[str]:
    """Prune ``obj`` in place against ``schema``; the paths of what was dropped, sorted.

    At the resource root (the default) apiVersion, kind and metadata are always kept, as in an embedded
    resource, and metadata is trimmed to ObjectMeta's fields (``metadata.foo`` is reported)."""
    node = _compiled(schema)
    found: list[str] = []
    if is_resource_root:
        found.extend(embedded.prune_object_meta(obj, ""))
        for key in list(obj):
            if key in _META_FIELDS:
                continue
            sub = node.properties.get(key)
            if sub is None and not node.keeps_every_key:
                if not node.preserves_unknown:
                    found.append(key)
                    del obj[key]
                continue
            _prune(obj[key], sub if sub is not None else node.extra, key, found, False)
    else:
        _prune(obj, node, "", found, False)
    found.sort()
    return found


def prune_value(value: Any, schema: Schema, *, embedded_here: bool = False) -> list[str]:
    """Prune any JSON value (not a whole resource) in place; the dropped paths, sorted."""
    found: list[str] = []
    _prune(value, _compiled(schema), "", found, embedded_here)
    found.sort()
    return found
