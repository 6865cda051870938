"""Is a CRD schema structural? kube's ``ValidateStructural``, on the schema as the CRD stores it (a dict).

A structural schema says, outside of any ``allOf``/``anyOf``/``oneOf``/``not``, what every field is: each node
has a ``type`` (unless ``x-kubernetes-int-or-string`` or ``x-kubernetes-preserve-unknown-fields`` stand in),
arrays have ``items``, the root is an object without ``additionalProperties``, and the root's ``metadata`` may
only restrict ``name`` and ``generateName``. The junctors may only add value validations: no ``type``,
``default``, ``description``, ``nullable`` or ``x-kubernetes-*`` inside them, and every field they mention must
be specified outside them too. Patterns must compile as Go regular expressions.

    unsupported(schema) -> str | None    kube's ``NewStructural`` refusal (``$ref``, ``definitions``, ...),
                                          in which case no structural check runs
    validate_structural(schema, path)    every invariant error, sorted as kube sorts them (by text)

Messages and paths are kube's: ``<path>.properties[spec].type: Required value: must not be empty for
specified object fields``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gitplane.api import errors
from gitplane.api.crd import gorender, regex

Schema = Mapping[str, Any]
ROOT, ITEM, FIELD = "root", "item", "field"

_UNSUPPORTED = (
    ("id", "id"),
    ("$schema", "schema"),
    ("$ref", "$ref"),
    ("patternProperties", "patternProperties"),
    ("dependencies", "dependencies"),
    ("additionalItems", "additionalItems"),
    ("definitions", "definitions"),
)
_VALUE_VALIDATIONS = (
    "format",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "multipleOf",
    "enum",
    "maxProperties",
    "minProperties",
    "required",
    "allOf",
    "oneOf",
    "anyOf",
    "not",
)
_METADATA_ALLOWED = frozenset({"type", "default", "properties"})
_INT_OR_STRING_ANY_OF = [{"type": "integer"}, {"type": "string"}]


def _walk_nodes(schema: Schema) -> Any:
    yield schema
    for key in ("items", "not", "additionalProperties"):
        sub = schema.get(key)
        if isinstance(sub, Mapping):
            yield from _walk_nodes(sub)
        elif key == "items" and isinstance(sub, list):
            for item in sub:
                if isinstance(item, Mapping):
                    yield from _walk_nodes(item)
    for key in ("properties", "patternProperties", "definitions", "dependencies"):
        subs = schema.get(key)
        if isinstance(subs, Mapping):
            for sub in subs.values():
                if isinstance(sub, Mapping):
                    yield from _walk_nodes(sub)
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key) or ():
            if isinstance(sub, Mapping):
                yield from _walk_nodes(sub)


def unsupported(schema: Schema) -> str | None:
    """The error kube's ``NewStructural`` gives a schema it cannot represent, or None."""
    for node in _walk_nodes(schema):
        for key, name in _UNSUPPORTED:
            value = node.get(key)
            if value is not None and value != "" and (value != {} or key == "additionalItems"):
                return f"OpenAPIV3Schema '{name}' is not supported"
        if isinstance(node.get("items"), list):
            return "OpenAPIV3Schema 'items' must be a schema, but is an array"
        if node.get("x-kubernetes-preserve-unknown-fields") is False:
            return "internal error: 'x-kubernetes-preserve-unknown-fields' must be true or undefined"
    return None


def _props(schema: Schema) -> Mapping[str, Any]:
    props = schema.get("properties")
    return props if isinstance(props, Mapping) else {}


def _type(schema: Schema) -> str:
    t = schema.get("type")
    return t if isinstance(t, str) else ""


def _junctor(schema: Schema, key: str) -> list[Schema]:
    return [s for s in schema.get(key) or () if isinstance(s, Mapping)]


def _is_int_or_string_any_of(schema: Schema) -> bool:
    return [dict(s) for s in _junctor(schema, "anyOf")] == _INT_OR_STRING_ANY_OF


def _is_int_or_string_all_of(schema: Schema) -> bool:
    all_of = _junctor(schema, "allOf")
    return bool(all_of) and _is_int_or_string_any_of(all_of[0])


def _value_validation(
    schema: Schema, skip_any_of: bool, skip_first_all_of_any_of: bool, path: str, found: list[errors.FieldError]
) -> None:
    if not skip_any_of:
        for i, sub in enumerate(_junctor(schema, "anyOf")):
            _nested(sub, False, f"{path}.anyOf[{i}]", found)
    for i, sub in enumerate(_junctor(schema, "allOf")):
        _nested(sub, skip_first_all_of_any_of and i == 0, f"{path}.allOf[{i}]", found)
    for i, sub in enumerate(_junctor(schema, "oneOf")):
        _nested(sub, False, f"{path}.oneOf[{i}]", found)
    not_schema = schema.get("not")
    if isinstance(not_schema, Mapping):
        _nested(not_schema, False, f"{path}.not", found)
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and pattern:
        problem = regex.go_error(pattern)
        if problem is not None:
            found.append(
                gorender.invalid(
                    f"{path}.pattern", pattern, f"must be a valid regular expression, but isn't: {problem}"
                )
            )


_NESTED_FORBIDDEN = (
    ("x-kubernetes-preserve-unknown-fields", "must be false to be structural"),
    ("x-kubernetes-embedded-resource", "must be false to be structural"),
    ("x-kubernetes-int-or-string", "must be false to be structural"),
)


def _nested(schema: Schema, skip_any_of: bool, path: str, found: list[errors.FieldError]) -> None:
    """A junctor branch: value validations only."""
    _value_validation(schema, skip_any_of, False, path, found)
    items = schema.get("items")
    if isinstance(items, Mapping):
        _nested(items, False, f"{path}.items", found)
    for key, sub in _props(schema).items():
        if isinstance(sub, Mapping):
            _nested(sub, False, f"{path}.properties[{key}]", found)
    if _type(schema):
        found.append(gorender.forbidden(f"{path}.type", "must be empty to be structural"))
    extra = schema.get("additionalProperties")
    if extra is not None and extra is not False:
        found.append(gorender.forbidden(f"{path}.additionalProperties", "must be undefined to be structural"))
    if schema.get("default") is not None:
        found.append(gorender.forbidden(f"{path}.default", "must be undefined to be structural"))
    if schema.get("title"):
        found.append(gorender.forbidden(f"{path}.title", "must be empty to be structural"))
    if schema.get("description"):
        found.append(gorender.forbidden(f"{path}.description", "must be empty to be structural"))
    if schema.get("nullable"):
        found.append(gorender.forbidden(f"{path}.nullable", "must be false to be structural"))
    for key, detail in _NESTED_FORBIDDEN:
        if schema.get(key):
            found.append(gorender.forbidden(f"{path}.{key}", detail))
    if schema.get("x-kubernetes-list-map-keys"):
        found.append(gorender.forbidden(f"{path}.x-kubernetes-list-map-keys", "must be empty to be structural"))
    for key in ("x-kubernetes-list-type", "x-kubernetes-map-type"):
        if schema.get(key) is not None:
            found.append(gorender.forbidden(f"{path}.{key}", "must be undefined to be structural"))
    if schema.get("x-kubernetes-validations"):
        found.append(gorender.forbidden(f"{path}.x-kubernetes-validations", "must be empty to be structural"))
    if "metadata" in _props(schema):
        found.append(gorender.forbidden(f"{path}.properties[metadata]", "must not be specified in a nested context"))


def _metadata(schema: Schema, check: bool, level: str, path: str, found: list[errors.FieldError]) -> None:
    if check and _type(schema) != "object":
        found.append(gorender.invalid(f"{path}.type", _type(schema), "must be object"))
    if level != ROOT:
        return
    props = set(_props(schema))
    rest = {k: v for k, v in schema.items() if k not in _METADATA_ALLOWED and _non_zero(k, v)}
    if rest or (props and not props <= {"name", "generateName"}):
        found.append(
            gorender.forbidden(
                path, "must not specify anything other than name and generateName, but metadata is implicitly specified"
            )
        )


def _non_zero(key: str, value: Any) -> bool:
    if value is None or value is False or value in ("", [], {}):
        return key == "additionalProperties" and value is False
    return True


def _invariants(schema: Schema, level: str, path: str, found: list[errors.FieldError]) -> None:
    t = _type(schema)
    items = schema.get("items")
    if t == "array" and not isinstance(items, Mapping):
        found.append(gorender.required(f"{path}.items", "must be specified"))
    if isinstance(items, Mapping):
        _invariants(items, ITEM, f"{path}.items", found)
    for key, sub in _props(schema).items():
        if isinstance(sub, Mapping):
            _invariants(sub, FIELD, f"{path}.properties[{key}]", found)
    extra = schema.get("additionalProperties")
    if "additionalProperties" in schema and extra is not None:
        if level == ROOT:
            found.append(gorender.forbidden(f"{path}.additionalProperties", "must not be used at the root"))
        if isinstance(extra, Mapping):
            _invariants(extra, FIELD, f"{path}.additionalProperties", found)
    int_or_string = bool(schema.get("x-kubernetes-int-or-string"))
    preserve = schema.get("x-kubernetes-preserve-unknown-fields") is True
    embedded = bool(schema.get("x-kubernetes-embedded-resource"))
    if int_or_string and preserve:
        found.append(
            gorender.invalid(
                f"{path}.x-kubernetes-preserve-unknown-fields",
                True,
                "must be false if x-kubernetes-int-or-string is true",
            )
        )
    if int_or_string and embedded:
        found.append(
            gorender.invalid(
                f"{path}.x-kubernetes-embedded-resource", True, "must be false if x-kubernetes-int-or-string is true"
            )
        )
    _value_validation(schema, _is_int_or_string_any_of(schema), _is_int_or_string_all_of(schema), path, found)
    if embedded and t != "object":
        detail = "must be object if x-kubernetes-embedded-resource is true"
        found.append(
            gorender.required(f"{path}.type", detail) if not t else gorender.invalid(f"{path}.type", t, detail)
        )
    elif not t and not int_or_string and not preserve:
        detail = {
            ROOT: "must not be empty at the root",
            ITEM: "must not be empty for specified array items",
            FIELD: "must not be empty for specified object fields",
        }[level]
        found.append(gorender.required(f"{path}.type", detail))
    if embedded and "additionalProperties" in schema and extra is not None:
        found.append(
            gorender.forbidden(
                f"{path}.additionalProperties", "must not be used if x-kubernetes-embedded-resource is set"
            )
        )
    if level == ROOT and t and t != "object":
        found.append(gorender.invalid(f"{path}.type", t, "must be object at the root"))
    check_meta = level == ROOT or embedded
    props = _props(schema)
    for name in ("kind", "apiVersion"):
        sub = props.get(name)
        if check_meta and isinstance(sub, Mapping) and _type(sub) != "string":
            found.append(gorender.invalid(f"{path}.properties[{name}].type", _type(sub), "must be string"))
    meta = props.get("metadata")
    if isinstance(meta, Mapping):
        _metadata(meta, check_meta, level, f"{path}.properties[metadata]", found)
    if embedded and not preserve and not props:
        found.append(
            gorender.required(
                f"{path}.properties",
                "must not be empty if x-kubernetes-embedded-resource is true without "
                "x-kubernetes-preserve-unknown-fields",
            )
        )


def _completeness(
    branch: Schema, schema: Schema | None, s_path: str, v_path: str, found: list[errors.FieldError]
) -> None:
    """Every field a junctor branch mentions must be specified by the structural schema too."""
    if schema is None:
        found.append(gorender.required(s_path, f"because it is defined in {v_path}"))
        return
    for key in ("not",):
        sub = branch.get(key)
        if isinstance(sub, Mapping):
            _completeness_nested(sub, schema, s_path, f"{v_path}.not", found)
    for key in ("allOf", "anyOf", "oneOf"):
        for i, sub in enumerate(_junctor(branch, key)):
            _completeness_nested(sub, schema, s_path, f"{v_path}.{key}[{i}]", found)


def _completeness_nested(
    branch: Schema, schema: Schema, s_path: str, v_path: str, found: list[errors.FieldError]
) -> None:
    _completeness(branch, schema, s_path, v_path, found)
    items = branch.get("items")
    if isinstance(items, Mapping):
        s_items = schema.get("items")
        _completeness_nested_or_missing(
            items, s_items if isinstance(s_items, Mapping) else None, f"{s_path}.items", f"{v_path}.items", found
        )
    s_props = _props(schema)
    for key, sub in _props(branch).items():
        if not isinstance(sub, Mapping):
            continue
        if key not in s_props or not isinstance(s_props[key], Mapping):
            found.append(
                gorender.required(f"{s_path}.properties[{key}]", f"because it is defined in {v_path}.properties[{key}]")
            )
        else:
            _completeness_nested(sub, s_props[key], f"{s_path}.properties[{key}]", f"{v_path}.properties[{key}]", found)


def _completeness_nested_or_missing(
    branch: Schema, schema: Schema | None, s_path: str, v_path: str, found: list[errors.FieldError]
) -> None:
    if schema is None:
        found.append(gorender.required(s_path, f"because it is defined in {v_path}"))
        return
    _completeness_nested(branch, schema, s_path, v_path, found)


def _completeness_all(schema: Schema, path: str, found: list[errors.FieldError]) -> None:
    _completeness(schema, schema, path, path, found)


def validate_structural(schema: Schema, path: str) -> list[errors.FieldError]:
    """kube's ``ValidateStructural``: every structural invariant error, sorted by text."""
    found: list[errors.FieldError] = []
    _invariants(schema, ROOT, path, found)
    _completeness_all(schema, path, found)
    return sorted(found, key=str)
