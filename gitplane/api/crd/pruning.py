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
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gitplane.api.crd import embedded

Schema = Mapping[str, Any]
_META_FIELDS = frozenset({"apiVersion", "kind", "metadata"})


def _join(parent: str, key: str) -> str:
    return f"{parent}.{key}" if parent else key


def _child_schema(schema: Schema, key: str) -> tuple[bool, Schema | None]:
    """(known, schema) of an object's field: a property, else additionalProperties, else unknown."""
    props = schema.get("properties")
    if isinstance(props, Mapping) and key in props:
        sub = props[key]
        return True, sub if isinstance(sub, Mapping) else {}
    if "additionalProperties" in schema:  # true, false or a schema: every key is kept, its value pruned
        extra = schema["additionalProperties"]
        return True, extra if isinstance(extra, Mapping) else None
    return False, None


def _prune(value: Any, schema: Schema | None, path: str, found: list[str], embedded_here: bool) -> None:
    if schema is not None and schema.get("x-kubernetes-preserve-unknown-fields") is True:
        _skip_prune(value, schema, path, found, embedded_here)
        return
    if isinstance(value, dict):
        if schema is None:
            for key in list(value):
                found.append(_join(path, key))
                del value[key]
            return
        is_embedded = embedded_here or bool(schema.get("x-kubernetes-embedded-resource"))
        for key in list(value):
            if is_embedded and key in _META_FIELDS:
                if key == "metadata":
                    found.extend(embedded.prune_object_meta(value, path))
                continue
            known, sub = _child_schema(schema, key)
            if known:
                _prune(value[key], sub, _join(path, key), found, False)
            else:
                found.append(_join(path, key))
                del value[key]
    elif isinstance(value, list):
        items = schema.get("items") if schema is not None else None
        for i, item in enumerate(value):
            _prune(item, items if isinstance(items, Mapping) else None, f"{path}[{i}]", found, False)


def _skip_prune(value: Any, schema: Schema, path: str, found: list[str], embedded_here: bool) -> None:
    if isinstance(value, dict):
        is_embedded = embedded_here or bool(schema.get("x-kubernetes-embedded-resource"))
        for key in list(value):
            if is_embedded and key in _META_FIELDS:
                if key == "metadata":
                    found.extend(embedded.prune_object_meta(value, path))
                continue
            known, sub = _child_schema(schema, key)
            if known:
                _prune(value[key], sub, _join(path, key), found, False)
    elif isinstance(value, list):
        items = schema.get("items")
        if isinstance(items, Mapping):
            for i, item in enumerate(value):
                _skip_prune(item, items, f"{path}[{i}]", found, False)


def prune(obj: dict[str, Any], schema: Schema, *, is_resource_root: bool = True) -> list[str]:
    """Prune ``obj`` in place against ``schema``; the paths of what was dropped, sorted.

    At the resource root (the default) apiVersion, kind and metadata are always kept, as in an embedded
    resource, and metadata is trimmed to ObjectMeta's fields (``metadata.foo`` is reported)."""
    found: list[str] = []
    if is_resource_root:
        found.extend(embedded.prune_object_meta(obj, ""))
        for key in list(obj):
            if key in _META_FIELDS:
                continue
            known, sub = _child_schema(schema, key)
            if known:
                _prune(obj[key], sub, key, found, False)
            elif schema.get("x-kubernetes-preserve-unknown-fields") is not True:
                found.append(key)
                del obj[key]
    else:
        _prune(obj, schema, "", found, False)
    found.sort()
    return found


def prune_value(value: Any, schema: Schema, *, embedded_here: bool = False) -> list[str]:
    """Prune any JSON value (not a whole resource) in place; the dropped paths, sorted."""
    found: list[str] = []
    _prune(value, schema, "", found, embedded_here)
    found.sort()
    return found
