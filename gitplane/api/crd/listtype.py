"""The invariants of ``x-kubernetes-list-type: set`` and ``map`` lists: no two items alike, no two keys alike.

kube checks them after schema validation (``ValidateListSetsAndMaps``). A ``set`` may not hold equal items; a
``map`` list's items must be objects (or null) and no two may share the values of ``x-kubernetes-list-map-keys``
(a missing key counts as a value of its own). Each repeated item is reported once, at its first repetition:
``spec.ports[2]: Duplicate value: {"name":"http","protocol":"TCP"}``; a set of scalars shows the scalar
(``spec.tags[1]: Duplicate value: "a"``). ``atomic`` and unset list types have no invariant.

Paths are kube's ``field.Path`` renderings: properties as ``.name``, additionalProperties keys as ``[key]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gitplane.api import errors
from gitplane.api.crd import gorender

Schema = Mapping[str, Any]
_MISSING = object()


def _identity(value: Any) -> Any:
    """A hashable identity with Go's equality: compounds by their JSON, scalars by type and value."""
    if isinstance(value, Mapping | list):
        return ("json", gorender.go_json(value))
    value = gorender.go_number(value)
    return (type(value).__name__, value)


def _first_repeats(values: Sequence[Any]) -> list[int]:
    seen: dict[Any, int] = {}
    repeated: list[int] = []
    for i, value in enumerate(values):
        key = ("missing",) if value is _MISSING else _identity(value)
        times = seen.get(key, 0)
        if times == 1:
            repeated.append(i)
        seen[key] = times + 1
    return repeated


def _check_map(path: str, schema: Schema, items: list[Any]) -> list[errors.FieldError]:
    for i, item in enumerate(items):
        if item is not None and not isinstance(item, Mapping):
            return [gorender.invalid(f"{path}[{i}]", item, "must be an object for an array of list-type map")]
    if len(items) <= 1:
        return []
    key_fields = [k for k in schema.get("x-kubernetes-list-map-keys") or () if isinstance(k, str)]
    if len(key_fields) == 1:
        only = key_fields[0]
        keys = [_MISSING if item is None or only not in item else item[only] for item in items]
        return [
            gorender.duplicate(f"{path}[{i}]", {} if keys[i] is _MISSING else {only: keys[i]})
            for i in _first_repeats(keys)
        ]
    compound = [{} if item is None else {k: item[k] for k in key_fields if k in item} for item in items]
    return [gorender.duplicate(f"{path}[{i}]", compound[i]) for i in _first_repeats(compound)]


def _check(value: Any, schema: Schema, path: str, found: list[errors.FieldError]) -> None:
    if isinstance(value, list):
        list_type = schema.get("x-kubernetes-list-type")
        if list_type == "set" and len(value) > 1:
            found.extend(gorender.duplicate(f"{path}[{i}]", value[i]) for i in _first_repeats(value))
        elif list_type == "map":
            found.extend(_check_map(path, schema, value))
        items = schema.get("items")
        if isinstance(items, Mapping):
            for i, item in enumerate(value):
                _check(item, items, f"{path}[{i}]", found)
    elif isinstance(value, Mapping):
        extra = schema.get("additionalProperties")
        if isinstance(extra, Mapping):
            for key, child in value.items():
                _check(child, extra, f"{path}[{key}]", found)
        props = schema.get("properties")
        if isinstance(props, Mapping):
            for key, child in value.items():
                sub = props.get(key)
                if isinstance(sub, Mapping):
                    _check(child, sub, f"{path}.{key}" if path else key, found)


def validate_list_sets_and_maps(obj: Mapping[str, Any], schema: Schema) -> list[errors.FieldError]:
    """The ``Duplicate value`` (and non-object map item) errors of ``obj``."""
    found: list[errors.FieldError] = []
    _check(obj, schema, "", found)
    return found
