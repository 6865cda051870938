"""Embedded resources: the ``apiVersion``, ``kind`` and ``metadata`` of ``x-kubernetes-embedded-resource`` nodes.

A node marked ``x-kubernetes-embedded-resource: true`` holds a whole Kubernetes object (a pod template, a
manifest to apply). kube treats its type and object meta as it treats a resource's own:

    prune_object_meta(node, path)   trims ``node["metadata"]`` to ObjectMeta's fields (as decoding into the
                                    Go struct does), returning the dropped paths (``spec.template.metadata.foo``)
    validate_embedded(obj, schema)  apiVersion and kind required and well formed, metadata valid as
                                    ObjectMeta (name rule: path segment, a missing name allowed), for every
                                    embedded node below the root; errors on kube's field paths
                                    (``spec.items[0].kind``, ``spec.byName[a].metadata.name``)

The root object's own type and metadata are the server's (generic registry) checks, not these.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gitplane.api import errors, goformats
from gitplane.api.crd import gorender
from gitplane.api.decoding import json_kind
from gitplane.api.validation import names, objectmeta

Schema = Mapping[str, Any]

OBJECT_META_FIELDS = frozenset(
    {
        "name",
        "generateName",
        "namespace",
        "selfLink",
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "labels",
        "annotations",
        "ownerReferences",
        "finalizers",
        "managedFields",
    }
)
_OWNER_REFERENCE_FIELDS = frozenset({"apiVersion", "kind", "name", "uid", "controller", "blockOwnerDeletion"})
_MANAGED_FIELDS_FIELDS = frozenset(
    {"manager", "operation", "apiVersion", "time", "fieldsType", "fieldsV1", "subresource"}
)


def _trim(node: dict[str, Any], allowed: frozenset[str], path: str, found: list[str]) -> None:
    for key in list(node):
        if key not in allowed:
            found.append(f"{path}.{key}")
            del node[key]


def prune_object_meta(node: dict[str, Any], parent: str) -> list[str]:
    """Drop what ObjectMeta does not have from ``node["metadata"]``; the dropped paths."""
    meta = node.get("metadata")
    found: list[str] = []
    if not isinstance(meta, dict):
        return found
    path = f"{parent}.metadata" if parent else "metadata"
    _trim(meta, OBJECT_META_FIELDS, path, found)
    for key, allowed in (("ownerReferences", _OWNER_REFERENCE_FIELDS), ("managedFields", _MANAGED_FIELDS_FIELDS)):
        entries = meta.get(key)
        if isinstance(entries, list):
            for i, entry in enumerate(entries):
                if isinstance(entry, dict):
                    _trim(entry, allowed, f"{path}.{key}[{i}]", found)
    if meta.get("creationTimestamp", "") is None:
        del meta["creationTimestamp"]
    return found


_STRING_FIELDS = ("name", "generateName", "namespace", "selfLink", "uid", "resourceVersion")
_INT_FIELDS = ("generation", "deletionGracePeriodSeconds")
_TIME_FIELDS = ("creationTimestamp", "deletionTimestamp")
_REF_STRINGS = ("apiVersion", "kind", "name", "uid")
_ENTRY_STRINGS = ("manager", "operation", "apiVersion", "fieldsType", "subresource")


def _json_kind(value: Any) -> str:
    """Go's name of the JSON type, with the literal of a fractional number as the time decoder reports it."""
    if isinstance(value, float) and not value.is_integer():
        return f"number {gorender.go_json(value)}"
    return json_kind(value)


def _mismatch(value: Any, struct: str, field_path: str, go_type: str) -> str:
    return f"json: cannot unmarshal {_json_kind(value)} into Go struct field {struct}.{field_path} of type {go_type}"


def _time_error(value: Any, struct: str, field_path: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        return f"json: cannot unmarshal {_json_kind(value).split()[0]} into Go value of type string"
    return goformats.time_error(value)


def _check_struct(node: Any, struct: str, prefix: str, strings: tuple[str, ...], bools: tuple[str, ...]) -> str | None:
    if node is None:
        return None
    if not isinstance(node, Mapping):
        return _mismatch(node, "ObjectMeta", prefix, f"v1.{struct}")
    for key in strings:
        if node.get(key) is not None and not isinstance(node[key], str):
            return _mismatch(node[key], struct, f"{prefix}.{key}", "string")
    for key in bools:
        if node.get(key) is not None and not isinstance(node[key], bool):
            return _mismatch(node[key], struct, f"{prefix}.{key}", "bool")
    return None


def decode_error(meta: Mapping[str, Any]) -> str | None:
    """The error decoding ``meta`` into kube's ObjectMeta struct would give, or None."""
    for key in _STRING_FIELDS:
        if meta.get(key) is not None and not isinstance(meta[key], str):
            return _mismatch(meta[key], "ObjectMeta", key, "string")
    for key in _INT_FIELDS:
        value = meta.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)
                                  or (isinstance(value, float) and not value.is_integer())):
            return _mismatch(value, "ObjectMeta", key, "int64")
    for key in _TIME_FIELDS:
        if (problem := _time_error(meta.get(key), "ObjectMeta", key)) is not None:
            return problem
    for key in ("labels", "annotations"):
        value = meta.get(key)
        if value is None:
            continue
        if not isinstance(value, Mapping):
            return _mismatch(value, "ObjectMeta", key, "map[string]string")
        for item in value.values():
            if item is not None and not isinstance(item, str):
                return _mismatch(item, "ObjectMeta", key, "string")
    lists = (("finalizers", None), ("ownerReferences", "OwnerReference"), ("managedFields", "ManagedFieldsEntry"))
    for key, struct in lists:
        value = meta.get(key)
        if value is None:
            continue
        if not isinstance(value, list):
            return _mismatch(value, "ObjectMeta", key, "[]string" if struct is None else f"[]v1.{struct}")
        for item in value:
            if struct is None:
                problem = None if item is None or isinstance(item, str) else _mismatch(item, "ObjectMeta", key,
                                                                                       "string")
            elif struct == "OwnerReference":
                problem = _check_struct(item, struct, key, _REF_STRINGS, ("controller", "blockOwnerDeletion"))
            else:
                problem = _check_struct(item, struct, key, _ENTRY_STRINGS, ())
                if problem is None and isinstance(item, Mapping):
                    problem = _time_error(item.get("time"), struct, f"{key}.time")
            if problem is not None:
                return problem
    return None


def _parse_group_version(value: str) -> str | None:
    if value in ("", "/") or value.count("/") <= 1:
        return None
    return f"unexpected GroupVersion string: {value}"


def _check_resource(node: Mapping[str, Any], path: str) -> list[errors.FieldError]:
    def at(name: str) -> str:
        return f"{path}.{name}" if path else name

    found: list[errors.FieldError] = []
    if "apiVersion" not in node:
        found.append(gorender.required(at("apiVersion")))
    if "kind" not in node:
        found.append(gorender.required(at("kind")))
    for key, value in node.items():
        if key == "apiVersion":
            if not isinstance(value, str):
                found.append(gorender.invalid(at(key), value, "must be a string"))
            elif not value:
                found.append(gorender.invalid(at(key), value, "must not be empty"))
            elif (problem := _parse_group_version(value)) is not None:
                found.append(gorender.invalid(at(key), value, problem))
        elif key == "kind":
            if not isinstance(value, str):
                found.append(gorender.invalid(at(key), value, "must be a string"))
            elif not value:
                found.append(gorender.invalid(at(key), value, "must not be empty"))
            elif problems := names.is_dns1035_label(value.lower()):
                found.append(
                    gorender.invalid(
                        at(key), value, "may have mixed case, but should otherwise match: " + ",".join(problems)
                    )
                )
        elif key == "metadata":
            if not isinstance(value, Mapping):
                found.append(
                    gorender.invalid(at(key), value,
                                     f"json: cannot unmarshal {_json_kind(value).split()[0]} into Go value of type "
                                     "v1.ObjectMeta")
                )
                continue
            problem = decode_error(value)
            if problem is not None:
                found.append(gorender.invalid(at(key), value, problem))
                continue
            meta = dict(value)
            if not meta.get("name"):
                meta["name"] = "fakename"
            found.extend(
                objectmeta.validate_object_meta(
                    meta, namespaced=bool(meta.get("namespace")), name_rule=names.path_segment_name, path=at("metadata")
                )
            )
    return found


def _walk(value: Any, schema: Schema | None, path: str, found: list[errors.FieldError]) -> None:
    if schema is None:
        return
    if isinstance(value, Mapping):
        if schema.get("x-kubernetes-embedded-resource"):
            found.extend(_check_resource(value, path))
        props = schema.get("properties")
        props = props if isinstance(props, Mapping) else {}
        extra = schema.get("additionalProperties")
        for key, child in value.items():
            if key in props and isinstance(props[key], Mapping):
                _walk(child, props[key], f"{path}.{key}" if path else key, found)
            elif isinstance(extra, Mapping):
                _walk(child, extra, f"{path}[{key}]", found)
    elif isinstance(value, list):
        items = schema.get("items")
        for i, item in enumerate(value):
            _walk(item, items if isinstance(items, Mapping) else None, f"{path}[{i}]", found)


def validate_embedded(obj: Mapping[str, Any], schema: Schema) -> list[errors.FieldError]:
    """The type and object meta errors of every embedded resource in ``obj`` (the root excluded)."""
    found: list[errors.FieldError] = []
    _walk(obj, {**schema, "x-kubernetes-embedded-resource": False}, "", found)
    return found
