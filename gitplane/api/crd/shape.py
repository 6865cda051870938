"""Does a CRD's ``openAPIV3Schema`` decode into kube's ``JSONSchemaProps`` at all?

kube decodes a CRD body into Go structs before it validates anything, so a schema keyword with a value of the
wrong JSON type (``anyOf: true``, ``required: "name"``, ``properties: []``) fails the request as a
400 BadRequest with Go's decoding error, never reaching the structural checks. :func:`decode_error` finds the
first such value, worded as Go's ``encoding/json`` words it (``json: cannot unmarshal bool into Go struct
field JSONSchemaProps.spec.versions.schema.openAPIV3Schema.anyOf of type []v1.JSONSchemaProps``); the checks
of :mod:`.crd_schema` run only on schemas that decode. Unknown keywords are ignored, as Go's decoder does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gitplane.api.decoding import json_kind

_PREFIX = "spec.versions.schema.openAPIV3Schema"
_STRINGS = ("id", "$schema", "$ref", "description", "type", "format", "title", "pattern", "x-kubernetes-list-type",
            "x-kubernetes-map-type")
_NUMBERS = ("maximum", "minimum", "multipleOf")
_BOOLS = ("exclusiveMaximum", "exclusiveMinimum", "uniqueItems", "nullable", "x-kubernetes-int-or-string",
          "x-kubernetes-embedded-resource", "x-kubernetes-preserve-unknown-fields")
_INTS = ("maxLength", "minLength", "maxItems", "minItems", "maxProperties", "minProperties")
_STRING_LISTS = ("required", "x-kubernetes-list-map-keys")
_SCHEMA_LISTS = ("allOf", "oneOf", "anyOf")
_SCHEMA_MAPS = ("properties", "patternProperties", "definitions")
_SCHEMA_OR_BOOL = ("additionalProperties", "additionalItems")


def _error(value: Any, path: str, go_type: str) -> str:
    return (f"json: cannot unmarshal {json_kind(value)} into Go struct field JSONSchemaProps.{path} "
            f"of type {go_type}")


def _scalar_error(node: Mapping[str, Any], path: str) -> str | None:
    checks: tuple[tuple[tuple[str, ...], Any, str], ...] = (
        (_STRINGS, str, "string"), (_BOOLS, bool, "bool"))
    for keys, kind, go_type in checks:
        for key in keys:
            value = node.get(key)
            if value is not None and not isinstance(value, kind):
                return _error(value, f"{path}.{key}", go_type)
    for key in _NUMBERS:
        value = node.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            return _error(value, f"{path}.{key}", "float64")
    for key in _INTS:
        value = node.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)
                                  or (isinstance(value, float) and not value.is_integer())):
            return _error(value, f"{path}.{key}", "int64")
    for key in _STRING_LISTS:
        value = node.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            return _error(value, f"{path}.{key}", "[]string")
    enum = node.get("enum")
    if enum is not None and not isinstance(enum, list):
        return _error(enum, f"{path}.enum", "[]v1.JSON")
    validations = node.get("x-kubernetes-validations")
    if validations is not None and not (isinstance(validations, list)
                                        and all(isinstance(v, Mapping) for v in validations)):
        return _error(validations, f"{path}.x-kubernetes-validations", "v1.ValidationRules")
    docs = node.get("externalDocs")
    if docs is not None and not isinstance(docs, Mapping):
        return _error(docs, f"{path}.externalDocs", "v1.ExternalDocumentation")
    return None


def _node_error(node: Any, path: str) -> str | None:
    if not isinstance(node, Mapping):
        return _error(node, path, "v1.JSONSchemaProps")
    problem = _scalar_error(node, path)
    if problem is not None:
        return problem
    children: list[tuple[Any, str]] = []
    for key in _SCHEMA_LISTS:
        value = node.get(key)
        if value is None:
            continue
        if not isinstance(value, list):
            return _error(value, f"{path}.{key}", "[]v1.JSONSchemaProps")
        children.extend((v, f"{path}.{key}") for v in value)
    for key in _SCHEMA_MAPS:
        value = node.get(key)
        if value is None:
            continue
        if not isinstance(value, Mapping):
            return _error(value, f"{path}.{key}", "map[string]v1.JSONSchemaProps")
        children.extend((v, f"{path}.{key}") for v in value.values())
    for key in _SCHEMA_OR_BOOL:
        value = node.get(key)
        if value is not None and not isinstance(value, bool):
            children.append((value, f"{path}.{key}"))
    items = node.get("items")
    if items is not None:
        children.extend((v, f"{path}.items") for v in (items if isinstance(items, list) else [items]))
    if node.get("not") is not None:
        children.append((node["not"], f"{path}.not"))
    dependencies = node.get("dependencies")
    if dependencies is not None:
        if not isinstance(dependencies, Mapping):
            return _error(dependencies, f"{path}.dependencies", "v1.JSONSchemaDependencies")
        for value in dependencies.values():
            if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                children.append((value, f"{path}.dependencies"))
    for child, child_path in children:
        problem = _node_error(child, child_path)
        if problem is not None:
            return problem
    return None


def decode_error(schema: Any) -> str | None:
    """Go's error decoding ``schema`` as a CRD version's ``openAPIV3Schema``, or None when it decodes."""
    return _node_error(schema, _PREFIX)
