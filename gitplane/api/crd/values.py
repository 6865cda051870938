"""Validation of a custom object's values against its CRD schema, following kube-openapi's validator.

kube validates a custom resource by walking it with kube-openapi's ``SchemaValidator``; clients see that
walk's messages, so :func:`validate_schema` walks the same way and keeps its order and quirks. For each schema
node, the validators that apply to the value's JSON kind run in kube's order, and none stops the others:

    type        type (int-or-string is ``integer,string``; ``nullable``; an integral float passes as
                integer) and, for non-string values, a ``format`` that is not the value's own
    junctors    allOf / anyOf / oneOf / not, each branch validated at the same path
    string      maxLength, else minLength, else pattern (lengths in runes, patterns in Go/RE2 syntax)
    format      the string formats of :mod:`.formats`
    number      the numeric checks of :mod:`.numbers`
    array       items (``path[i]``), minItems, maxItems, uniqueItems
    enum        membership, with Go's type conversions (``1.0`` matches ``1``)
    object      min/maxProperties, additionalProperties, properties (``path.name``), required

A ``null`` value gets only the type and enum checks. On update, each node is paired with its old value
(:mod:`.ratcheting`) and a failing node whose value did not change passes. The schema is a CRD's
``openAPIV3Schema`` as stored (a dict); formats kube does not know are ignored. :func:`validate_schema`
returns kube-openapi errors (:class:`~.result.Err`); :func:`.result.to_field_errors` turns them into a 422's
field errors.

The walk builds every message as it goes, which is wasted on the valid values most writes carry, so
:func:`validate_schema` first asks :mod:`.validity`'s compiled check whether there is any error at all, and
walks only when there may be. :func:`validate_node` is the walk alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from gitplane.api import gosyntax
from gitplane.api.crd import formats, gorender, numbers, ratcheting, regex, validity
from gitplane.api.crd.result import Err, Kind, Result, single

Schema = Mapping[str, Any]


def _kind_info(value: Any) -> tuple[str, str]:
    """kube-openapi's ``schemaInfoForType``: the JSON type and Go format of a decoded value."""
    if isinstance(value, bool):
        return "boolean", ""
    if isinstance(value, str):
        return "string", ""
    if isinstance(value, int):
        return ("integer", "int64") if gorender.INT64_MIN <= value <= gorender.INT64_MAX else ("number", "float64")
    if isinstance(value, float):
        return "number", "float64"
    if isinstance(value, dict | Mapping):  # dict first: a decoded object is one, and the ABC check is slow
        return "object", ""
    if isinstance(value, list | Sequence):
        return "array", ""
    return "", ""


def _invalid_type(path: str, type_name: str, value: str) -> Err:
    return Err(Kind.TYPE, path, f"{path} in body must be of type {type_name}: {gosyntax.go_quote(value)}", value=value)


def _check_type(schema: Schema, value: Any, path: str) -> Result | None:
    types = formats.schema_types(schema)
    fmt = formats.effective_format(schema)
    if not types and not fmt:
        return None
    result = Result()
    result.inc()
    if value is None:
        if types and "null" not in types and not schema.get("nullable"):
            return single(_invalid_type(path, ",".join(types), "null"))
        return result
    sch_type, data_format = _kind_info(value)
    is_float_int = sch_type == "number" and "integer" in types and numbers.is_json_integer(float(value))
    is_int_float = sch_type == "integer" and "number" in types
    string_or_slice = sch_type in ("string", "array")
    if not string_or_slice and fmt and not (sch_type in types or data_format == fmt or is_float_int or is_int_float):
        return single(_invalid_type(path, fmt, data_format))
    if not ("number" in types or "integer" in types) and fmt and string_or_slice:
        return result
    if not (sch_type in types or is_float_int or is_int_float):
        return single(_invalid_type(path, ",".join(types), sch_type))
    return result


_JUNCTORS = ("anyOf", "oneOf", "allOf", "not")


def _junctors(schema: Schema, value: Any, path: str) -> Result:
    main = Result()
    if not any(key in schema for key in _JUNCTORS):  # most nodes have none: skip the work below
        main.inc()
        return main
    quoted = gosyntax.go_quote(path)
    any_of = [s for s in schema.get("anyOf") or () if isinstance(s, Mapping)]
    if any_of:
        best: Result | None = None
        first_success: Result | None = None
        succeeded = False
        for sub in any_of:
            result = validate_node(sub, value, path)
            if result.valid:
                best, succeeded, first_success = None, True, first_success or result
                break
            if best is None or result.match_count > best.match_count:
                best = result
        if not succeeded:
            main.add(Err(Kind.COMPOSITE, path, f"{quoted} must validate at least one schema (anyOf)"))
        main.merge(best if best is not None else first_success)
    one_of = [s for s in schema.get("oneOf") or () if isinstance(s, Mapping)]
    if one_of:
        best, first_success, validated = None, None, 0
        for sub in one_of:
            result = validate_node(sub, value, path)
            if result.valid:
                validated += 1
                best = None
                first_success = first_success or result
                continue
            if validated == 0 and (best is None or result.match_count > best.match_count):
                best = result
        if validated != 1:
            extra = "Found none valid" if validated == 0 else f"Found {validated} valid alternatives"
            main.add(Err(Kind.COMPOSITE, path, f"{quoted} must validate one and only one schema (oneOf). {extra}"))
            main.merge(best)
        else:
            main.merge(first_success)
    all_of = [s for s in schema.get("allOf") or () if isinstance(s, Mapping)]
    if all_of:
        validated = 0
        for sub in all_of:
            result = validate_node(sub, value, path)
            validated += result.valid
            main.merge(result)
        if validated != len(all_of):
            extra = ". None validated" if validated == 0 else ""
            main.add(Err(Kind.COMPOSITE, path, f"{quoted} must validate all the schemas (allOf){extra}"))
    not_schema = schema.get("not")
    if isinstance(not_schema, Mapping) and validate_node(not_schema, value, path).valid:
        main.add(Err(Kind.COMPOSITE, path, f"{quoted} must not validate the schema (not)"))
    main.inc()
    return main


def _int(schema: Schema, key: str) -> int | None:
    v = schema.get(key)
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _check_string(schema: Schema, value: str, path: str) -> Result | None:
    max_length, min_length, pattern = _int(schema, "maxLength"), _int(schema, "minLength"), schema.get("pattern")
    length = len(value)
    if max_length is not None and length > max_length:
        return single(
            Err(
                Kind.TOO_LONG,
                path,
                f"{path} in body should be at most {max_length} chars long",
                value=value,
                valid=max_length,
            )
        )
    if min_length is not None and length < min_length:
        return single(
            Err(
                Kind.TOO_SHORT,
                path,
                f"{path} in body should be at least {min_length} chars long",
                value=value,
                valid=min_length,
            )
        )
    if isinstance(pattern, str) and pattern:
        try:
            ok = regex.matches(pattern, value)
        except regex.GoRegexError as exc:
            return single(
                Err(
                    Kind.PATTERN,
                    path,
                    f"{path} in body should match '{pattern}, but pattern is invalid: {exc}'",
                    value=value,
                )
            )
        if not ok:
            return single(Err(Kind.PATTERN, path, f"{path} in body should match '{pattern}'", value=value))
    return None


def _check_format(schema: Schema, value: str, path: str) -> Result | None:
    fmt = formats.effective_format(schema)
    if not fmt or formats.normalize(fmt) not in formats.CHECKS:
        return None
    if formats.check(fmt, value):
        return None
    return single(_invalid_type(path, fmt, value))


def _check_array(schema: Schema, value: Sequence[Any], path: str, old: Any) -> Result:
    result = Result()
    items = schema.get("items")
    if isinstance(items, Mapping):
        for i, item in enumerate(value):
            result.merge(validate_node(items, item, f"{path}[{i}]", ratcheting.old_item(schema, old, item)))
    size = len(value)
    min_items, max_items = _int(schema, "minItems"), _int(schema, "maxItems")
    if min_items is not None and size < min_items:
        result.add(
            Err(
                Kind.MIN_ITEMS,
                path,
                f"{path} in body should have at least {min_items} items",
                value=size,
                valid=min_items,
            )
        )
    if max_items is not None and size > max_items:
        result.add(
            Err(
                Kind.MAX_ITEMS,
                path,
                f"{path} in body should have at most {max_items} items",
                value=size,
                valid=max_items,
            )
        )
    if schema.get("uniqueItems") is True:
        seen: list[Any] = []
        for item in value:
            if any(go_deep_equal(item, other) for other in seen):
                result.add(Err(Kind.UNIQUE, path, f"{path} in body shouldn't contain duplicates"))
                break
            seen.append(item)
    result.inc()
    return result


def go_deep_equal(a: Any, b: Any) -> bool:
    """``reflect.DeepEqual`` of decoded JSON: int64 and float64 differ, bools are not numbers."""
    a, b = gorender.go_number(a), gorender.go_number(b)
    both_maps = isinstance(a, Mapping) and isinstance(b, Mapping)
    both_lists = isinstance(a, list | tuple) and isinstance(b, list | tuple)
    if type(a) is not type(b) and not both_maps and not both_lists:
        return False
    if isinstance(a, Mapping):
        return a.keys() == b.keys() and all(go_deep_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(go_deep_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _convert(value: Any, like: Any) -> tuple[bool, Any]:
    """Go's ``reflect.Value.Convert`` of ``value`` to the type of ``like``, where Go allows it."""
    value, like = gorender.go_number(value), gorender.go_number(like)
    numeric = (int, float)
    if isinstance(value, bool) or isinstance(like, bool):
        return (type(value) is type(like)), value
    if isinstance(value, numeric) and isinstance(like, numeric):
        if isinstance(like, int):
            if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
                return False, value
            return True, math.trunc(value)
        return True, float(value)
    if isinstance(value, int) and isinstance(like, str):
        return True, chr(value) if 0 <= value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF else "\ufffd"
    if isinstance(value, str) and isinstance(like, str):
        return True, value
    if isinstance(value, Mapping) and isinstance(like, Mapping):
        return True, value
    if isinstance(value, list) and isinstance(like, list):
        return True, value
    return False, value


def enum_allows(enum: list[Any], value: Any) -> bool:
    """Whether a non-null ``value`` is one of ``enum``, converted to each member's Go type first."""
    for allowed in enum:
        if allowed is None:
            continue
        ok, converted = _convert(value, allowed)
        if ok and go_deep_equal(converted, allowed):
            return True
    return False


def _check_enum(schema: Schema, value: Any, path: str) -> Result | None:
    enum = schema.get("enum")
    if not isinstance(enum, list) or not enum:
        return None
    if value is not None and enum_allows(enum, value):
        return None
    return single(
        Err(Kind.ENUM, path, f"{path} in body should be one of {gorender.go_v(enum)}", value=value, values=tuple(enum))
    )


def _check_object(schema: Schema, value: Mapping[str, Any], path: str, old: Any) -> Result:
    result = Result()
    size = len(value)
    min_props, max_props = _int(schema, "minProperties"), _int(schema, "maxProperties")
    if min_props is not None and size < min_props:
        result.add(
            Err(
                Kind.MIN_PROPERTIES,
                path,
                f"{path} in body should have at least {min_props} properties",
                value=size,
                valid=min_props,
            )
        )
    if max_props is not None and size > max_props:
        result.add(
            Err(
                Kind.MAX_PROPERTIES,
                path,
                f"{path} in body should have at most {max_props} properties",
                value=size,
                valid=max_props,
            )
        )
    properties = schema.get("properties")
    props: Mapping[str, Any] = properties if isinstance(properties, Mapping) else {}
    extra = schema.get("additionalProperties")
    if extra is False:
        for key in value:
            if key not in props:
                result.add(
                    Err(Kind.FORBIDDEN_PROPERTY, path, f"{path}.{key} in body is a forbidden property", value=key)
                )
    elif isinstance(extra, Mapping):
        for key, child in value.items():
            if key not in props:
                result.merge(validate_node(extra, child, f"{path}.{key}", ratcheting.old_field(old, key, path)))
    for name, sub in props.items():
        if name in value and isinstance(sub, Mapping):
            child_path = f"{path}.{name}" if path else name
            result.merge(validate_node(sub, value[name], child_path, ratcheting.old_field(old, name, path)))
    for name in schema.get("required") or ():
        if isinstance(name, str) and name not in value:
            result.add(Err(Kind.REQUIRED, f"{path}.{name}", f"{path}.{name} in body is required"))
    return result


def validate_node(schema: Schema, value: Any, path: str, old: Any = ratcheting.NO_OLD) -> Result:
    """kube-openapi's ``SchemaValidator.Validate`` of one value at ``path`` (ratcheting against ``old``)."""
    result = _validate_node(schema, value, path, old)
    if old is not ratcheting.NO_OLD and not result.valid and go_deep_equal(value, old):
        return Result(match_count=result.match_count)
    return result


def _validate_node(schema: Schema, value: Any, path: str, old: Any) -> Result:
    result = Result()
    if value is None:
        result.merge(_check_type(schema, value, path), _check_enum(schema, value, path))
        return result
    sch_type, _ = _kind_info(value)
    steps: list[Result | None] = []
    type_result = _check_type(schema, value, path)
    if type_result is not None:
        steps.append(type_result)
    steps.append(_junctors(schema, value, path))
    if sch_type == "string":
        steps.append(_check_string(schema, value, path))
        steps.append(_check_format(schema, value, path))
    if sch_type in ("integer", "number"):
        number_result = Result()
        number_result.add(
            *numbers.check_number(gorender.go_number(value), schema, formats.effective_format(schema), path)
        )
        number_result.inc()
        steps.append(number_result)
    if sch_type == "array":
        steps.append(_check_array(schema, value, path, old))
    steps.append(_check_enum(schema, value, path))
    if sch_type == "object":
        steps.append(_check_object(schema, value, path, old))
    for step in steps:
        result.merge(step)
        result.inc()
    result.inc()
    return result


def validate_schema(schema: Schema, value: Any, old: Any = ratcheting.NO_OLD) -> list[Err]:
    """Every kube-openapi error of ``value`` (a whole object, or the status) against ``schema``; with ``old``
    (an update), errors of values left unchanged are ratcheted away. A value the compiled check finds valid has
    none (ratcheting only drops errors), so the walk runs only for the others."""
    if validity.is_valid(schema, value):
        return []
    return validate_node(schema, value, "", old).errors
