"""Objects generated to satisfy a schema pass validation; breaking one field names exactly that field."""

from __future__ import annotations

import copy
import functools
import re
import string
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gitplane.api import yaml_body
from gitplane.api.crd import prepare_write, regex, validate_object

DATA = Path(__file__).parents[3] / "data" / "crds"
FORMAT_EXAMPLES = {
    "date-time": ["2024-01-02T03:04:05Z", "2024-02-29T23:59:59.5+01:00"], "date": ["2024-02-29"],
    "int32": [], "int64": [], "duration": ["1h30m", "5s"], "uri": ["https://example.com/a?b=c"],
    "email": ["a@example.com"], "hostname": ["example.com"], "ipv4": ["10.0.0.1"], "ipv6": ["fe80::1"],
    "cidr": ["10.0.0.0/8"], "mac": ["00:11:22:33:44:55"], "uuid": ["123e4567-e89b-12d3-a456-426614174000"],
    "byte": ["aGVsbG8="], "password": ["secret"],
}
_JUNCTORS = ("allOf", "anyOf", "oneOf", "not")
_ALNUM = string.ascii_lowercase + string.digits


def _strings(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    fmt = schema.get("format")
    if isinstance(fmt, str) and FORMAT_EXAMPLES.get(fmt):
        return st.sampled_from(FORMAT_EXAMPLES[fmt])
    low, high = schema.get("minLength", 0), schema.get("maxLength", 12)
    pattern = schema.get("pattern")
    if not pattern:
        return st.text(_ALNUM, min_size=low, max_size=min(high, max(low, 12)))
    try:
        candidates = st.from_regex(re.compile(pattern), fullmatch=False)
    except re.error:
        return st.nothing()
    return candidates.filter(lambda s: low <= len(s) <= high and regex.matches(pattern, s))


def _integers(schema: dict[str, Any]) -> st.SearchStrategy[int]:
    low = schema.get("minimum", -1000 if schema.get("format") != "int32" else -(2**31))
    high = schema.get("maximum", 1000)
    low = int(low) + (1 if schema.get("exclusiveMinimum") and float(low).is_integer() else 0)
    high = int(high) - (1 if schema.get("exclusiveMaximum") and float(high).is_integer() else 0)
    step = schema.get("multipleOf")
    if isinstance(step, int) and step > 0:
        return st.integers(-(-low // step), high // step).map(lambda n: n * step)
    return st.integers(low, high)


def values(schema: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    """Values valid for ``schema`` (nothing where a node asks for more than this generator knows)."""
    if any(k in schema for k in _JUNCTORS) or depth > 6:
        return st.nothing()
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if schema.get("x-kubernetes-int-or-string"):
        return st.integers(0, 100) | st.text(_ALNUM, min_size=1, max_size=5)
    if schema.get("x-kubernetes-embedded-resource"):
        return st.just({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}})
    t = schema.get("type")
    base: st.SearchStrategy[Any]
    if t == "string":
        base = _strings(schema)
    elif t == "integer":
        base = _integers(schema)
    elif t == "number":
        base = _integers({**schema, "multipleOf": None}) if "multipleOf" not in schema else st.nothing()
    elif t == "boolean":
        base = st.booleans()
    elif t == "array":
        base = _arrays(schema, depth)
    elif t == "object" or t is None:
        base = _objects(schema, depth)
    else:
        base = st.nothing()
    return base | st.none() if schema.get("nullable") else base


def _arrays(schema: dict[str, Any], depth: int) -> st.SearchStrategy[list[Any]]:
    items = schema.get("items") or {}
    low, high = schema.get("minItems", 0), min(schema.get("maxItems", 3), 3)
    if low > high:
        return st.nothing()
    element = values(items, depth + 1)
    if element.is_empty:
        return st.just([]) if low == 0 else st.nothing()
    list_type = schema.get("x-kubernetes-list-type")
    if list_type == "set":
        return st.lists(element, min_size=low, max_size=high, unique_by=repr)
    if list_type == "map":
        keys = schema.get("x-kubernetes-list-map-keys") or []
        return st.lists(element, min_size=low, max_size=high, unique_by=lambda item: repr([item.get(k) for k in keys]))
    return st.lists(element, min_size=low, max_size=high)


@st.composite
def _object_draw(draw: st.DrawFn, schema: dict[str, Any], depth: int) -> dict[str, Any]:
    props = schema.get("properties") or {}
    required = set(schema.get("required") or ())
    out: dict[str, Any] = {}
    for name, sub in props.items():
        if name in ("metadata", "apiVersion", "kind") and depth == 0:
            continue
        if name in required or draw(st.booleans()):
            strategy = values(sub, depth + 1)
            if name in required:
                out[name] = draw(strategy)
            else:
                drawn = draw(st.one_of(strategy, st.just(_SKIP)))
                if drawn is not _SKIP:
                    out[name] = drawn
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict) and not props and not values(extra, depth + 1).is_empty:
        out.update(draw(st.dictionaries(st.text(_ALNUM, min_size=1, max_size=4), values(extra, depth + 1),
                                        max_size=2)))
    low, high = schema.get("minProperties", 0), schema.get("maxProperties", 10**6)
    if not low <= len(out) <= high:
        draw(st.nothing())
    return out


_SKIP = object()


def _objects(schema: dict[str, Any], depth: int) -> st.SearchStrategy[dict[str, Any]]:
    return _object_draw(schema, depth)


SPEC_PROPERTIES = {
    "name": {"type": "string", "pattern": "^[a-z][a-z0-9-]{0,9}$"},
    "size": {"type": "integer", "minimum": 1, "maximum": 9, "multipleOf": 2},
    "ratio": {"type": "number", "minimum": 0, "maximum": 1},
    "when": {"type": "string", "format": "date-time"},
    "mode": {"type": "string", "enum": ["a", "b"]},
    "port": {"x-kubernetes-int-or-string": True},
    "note": {"type": "string", "nullable": True, "maxLength": 4},
    "labels": {"type": "object", "additionalProperties": {"type": "string"}, "maxProperties": 2},
    "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}, "maxItems": 3},
    "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
              "items": {"type": "object", "required": ["name"], "properties": {
                  "name": {"type": "string", "minLength": 1}, "port": {"type": "integer", "format": "int32"}}}},
    "template": {"type": "object", "x-kubernetes-embedded-resource": True,
                 "x-kubernetes-preserve-unknown-fields": True},
}
RICH = {"type": "object", "required": ["spec"],
        "properties": {"spec": {"type": "object", "required": ["name", "size"], "properties": SPEC_PROPERTIES}}}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(values(RICH))
def test_an_object_generated_from_a_schema_passes(obj: dict[str, Any]) -> None:
    result = prepare_write(copy.deepcopy(obj), RICH)
    assert result.unknown_fields == ()
    assert [str(e) for e in result.errors] == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(values(RICH), st.sampled_from(["name", "size", "mode", "when", "tags"]))
def test_breaking_one_field_names_that_field(obj: dict[str, Any], name: str) -> None:
    broken = copy.deepcopy(obj)
    broken["spec"][name] = {"not": "valid"}
    assert {e.field for e in validate_object(broken, RICH)} == {f"spec.{name}"}


@functools.cache
def _published_schema(name: str) -> dict[str, Any]:
    crd = yaml_body.load((DATA / name).read_bytes())
    schema: dict[str, Any] = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    return schema


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
@given(st.data())
def test_objects_generated_from_published_crds_pass(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(["cert-manager.io_certificates.yaml",
                                      "monitoring.coreos.com_servicemonitors.yaml", "argoproj.io_appprojects.yaml",
                                      "apiextensions.crossplane.io_compositions.yaml"]))
    schema = _published_schema(name)
    spec = data.draw(values(schema["properties"]["spec"], depth=1))
    result = prepare_write({"apiVersion": "x/v1", "kind": "X", "metadata": {"name": "x"}, "spec": copy.deepcopy(spec)},
                           schema)
    assert result.unknown_fields == ()
    assert [str(e) for e in result.errors] == []


def _any_json() -> st.SearchStrategy[Any]:
    scalars = (st.none() | st.booleans() | st.integers(-(2**70), 2**70)
               | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=4))
    keys = st.sampled_from([*SPEC_PROPERTIES, "metadata", "apiVersion", "kind", "labels", "name", "generation",
                            "ownerReferences", "finalizers", "x"])
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=4),
                        max_leaves=15)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["spec", "metadata", "status"]), _any_json(), max_size=3))
def test_any_json_is_pruned_defaulted_and_validated_without_crashing(obj: dict[str, Any]) -> None:
    result = prepare_write(obj, RICH)
    assert all(e.field and str(e).startswith(e.field) for e in result.errors)
