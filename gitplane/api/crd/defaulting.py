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
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

Schema = Mapping[str, Any]


def _field_schema(schema: Schema | None, key: str) -> Schema | None:
    if schema is None:
        return None
    props = schema.get("properties")
    if isinstance(props, Mapping) and isinstance(props.get(key), Mapping):
        sub: Schema = props[key]
        return sub
    extra = schema.get("additionalProperties")
    return extra if isinstance(extra, Mapping) else None


def _non_nullable_null(value: Any, schema: Schema | None) -> bool:
    return value is None and schema is not None and not schema.get("nullable")


def prune_nulls(value: Any, schema: Schema | None) -> None:
    """Remove nulls that are neither allowed (nullable) nor defaulted, in place."""
    if isinstance(value, dict):
        for key in list(value):
            sub = _field_schema(schema, key)
            if _non_nullable_null(value[key], sub) and sub is not None and sub.get("default") is None:
                del value[key]
            else:
                prune_nulls(value[key], sub)
    elif isinstance(value, list):
        items = schema.get("items") if schema is not None else None
        for item in value:
            prune_nulls(item, items if isinstance(items, Mapping) else None)


def default(value: Any, schema: Schema | None) -> None:
    """Apply the schema's defaults to ``value`` in place."""
    if schema is None:
        return
    if isinstance(value, dict):
        props = schema.get("properties")
        props = props if isinstance(props, Mapping) else {}
        for key, sub in props.items():
            if not isinstance(sub, Mapping) or "default" not in sub or sub["default"] is None:
                continue
            if key not in value or _non_nullable_null(value[key], sub):
                value[key] = copy.deepcopy(sub["default"])
        extra = schema.get("additionalProperties")
        for key in list(value):
            sub = props.get(key)
            if isinstance(sub, Mapping):
                default(value[key], sub)
            elif isinstance(extra, Mapping):
                if _non_nullable_null(value[key], extra):
                    value[key] = copy.deepcopy(extra.get("default"))
                default(value[key], extra)
    elif isinstance(value, list):
        items = schema.get("items")
        if not isinstance(items, Mapping):
            return
        for i, item in enumerate(value):
            if _non_nullable_null(item, items):
                value[i] = copy.deepcopy(items.get("default"))
            default(value[i], items)


def apply_defaults(obj: dict[str, Any], schema: Schema) -> None:
    """kube's null pruning then defaulting of a whole object, in place."""
    prune_nulls(obj, schema)
    default(obj, schema)
