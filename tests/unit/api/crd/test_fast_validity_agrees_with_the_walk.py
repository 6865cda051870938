"""The compiled validity check, defaulting and pruning agree with the walks they stand in for.

:mod:`gitplane.api.crd.validity` answers whether kube-openapi's walk (:func:`values.validate_node`) finds no
error. It must never say valid when the walk finds one; on plain decoded JSON it must not say invalid when the
walk finds none either (it may only for what it leaves to the walk: integers beyond int64, NaN, infinities), so
no false-invalid is allowed for any generated plain value, with or without junctors. Checked over generated
structural schemas (types, nullable, lengths, patterns, formats, numeric bounds, enums, arrays, objects,
additionalProperties, junctors, int-or-string, preserve-unknown-fields, embedded resources; 4 levels deep) with
values shaped by them, those values nudged just across one bound or broken at random, and any JSON; and over
every CRD schema of the repository (gitplane/server/systemcrds and tests/data/crds) with values generated from
them and the objects of the tests' fixtures (the published CRDs' cases, the built-in WorkspaceTypes).

Defaulting and pruning were rewritten over compiled schema nodes: the walks they replaced are kept here as the
oracle (``old_*``, copied from the source before the change), and the new ones must leave the same objects (key
order and value types included) and return the same paths.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import importlib.util
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gitplane.api import yaml_body
from gitplane.api.crd import defaulting, embedded, gorender, pruning, validity, values
from gitplane.server.systemcrds.served import read_yaml

Schema = Mapping[str, Any]
ROOT = Path(__file__).parents[4]
SYSTEM_CRDS = ROOT / "gitplane" / "server" / "systemcrds"
TEST_CRDS = ROOT / "tests" / "data" / "crds"


def examples(n: int, **more: Any) -> settings:
    """``n`` examples, no deadline, no health checks (the generated schemas and values are large on purpose)."""
    return settings(max_examples=n, deadline=None, suppress_health_check=list(HealthCheck), **more)


# -- generated schemas -------------------------------------------------------------------------------------------

NAMES = ("a", "b", "c", "apiVersion", "kind", "metadata")
PATTERNS = ("^[a-z]+$", "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "b", r"^\pL{1,3}$", r"\d", "(", "^$", "a|^x$")
FORMATS = ("date-time", "date", "ipv4", "uuid", "byte", "hostname", "duration", "int32", "int64", "float", "double",
           "no-such-format")
FORMAT_VALUES = ("2024-01-02T03:04:05Z", "2024-02-30", "10.0.0.1", "123e4567-e89b-12d3-a456-426614174000",
                 "aGVsbG8=", "example.com", "1h30m", "x", "")
TEXT = st.text("abxz09-:.Z", max_size=6) | st.sampled_from(FORMAT_VALUES)
BOUNDS = st.integers(-5, 5) | st.sampled_from([2**31, 2**53 + 1, 2**63, -(2**40), 1.5, -0.5, 0.0, 1e300])
SCALARS = st.none() | st.booleans() | st.integers(-6, 6) | st.integers(-(2**70), 2**70) | st.floats() | TEXT
ANY_JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                        | st.dictionaries(st.sampled_from((*NAMES, "x")), inner, max_size=3), max_leaves=10)
FINITE_JSON = st.recursive(st.none() | st.booleans() | st.integers(-6, 6) | st.floats(-3, 3) | TEXT,
                           lambda inner: st.lists(inner, max_size=2)
                           | st.dictionaries(st.sampled_from((*NAMES, "x")), inner, max_size=2), max_leaves=6)
ENUMS = st.lists(st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from([1.0, 1.5, 97]) | TEXT
                 | st.just({"a": 1}) | st.just([1]), min_size=1, max_size=3)
NUMERIC = {"minimum": BOUNDS, "maximum": BOUNDS, "exclusiveMinimum": st.booleans(),
           "exclusiveMaximum": st.booleans(), "multipleOf": st.sampled_from([2, 3, 2, 3, 0.5, 2.5, 0, -1])}
STRING = {"maxLength": st.integers(0, 6), "minLength": st.integers(0, 3), "pattern": st.sampled_from(PATTERNS),
          "format": st.sampled_from(FORMATS)}
NUMBER_FORMATS = ("int32", "int64", "float", "double", "date-time", "no-such-format")
RARE = {"enum": ENUMS}


@st.composite
def _node(draw: st.DrawFn, fixed: dict[str, Any], usual: dict[str, st.SearchStrategy[Any]],
          rare: dict[str, st.SearchStrategy[Any]] = RARE) -> dict[str, Any]:
    """A schema node: ``fixed``, each ``usual`` keyword (and a default, and nullable) half the time and each
    ``rare`` one a fifth of it."""
    node = dict(fixed)
    for keywords, odds in (({**usual, "default": FINITE_JSON, "nullable": st.booleans()}, 2), (rare, 5)):
        for key, strategy in keywords.items():
            if draw(st.integers(1, odds)) == 1:
                node[key] = draw(strategy)
    return node


LEAVES = st.one_of(
    _node({"type": "string"}, STRING),
    _node({"type": "integer"}, {"format": st.sampled_from(NUMBER_FORMATS), **NUMERIC}),
    _node({"type": "number"}, {"format": st.sampled_from(NUMBER_FORMATS), **NUMERIC}),
    _node({"type": "boolean"}, {}),
    _node({"x-kubernetes-int-or-string": True},
          {"anyOf": st.just([{"type": "integer"}, {"type": "string"}]), "maximum": BOUNDS, **STRING}),
    _node({}, {"x-kubernetes-preserve-unknown-fields": st.just(True), "format": st.sampled_from(FORMATS),
               "maxLength": st.integers(0, 3), "minimum": BOUNDS, "required": st.just(["a"])}),
)
CONSTRAINTS = st.one_of(  # junctor branches as CRDs write them: a constraint or two, no type
    _node({}, {"required": st.lists(st.sampled_from(NAMES[:3]), min_size=1, max_size=2, unique=True),
               "maxLength": st.integers(0, 3), "minimum": st.integers(-1, 2), "maxItems": st.integers(0, 2),
               "maxProperties": st.integers(0, 2), "type": st.sampled_from(["string", "integer", "object"])}, {}),
    _node({}, {"properties": st.dictionaries(st.sampled_from(NAMES[:3]), LEAVES, max_size=2),
               "not": _node({}, {"required": st.just(["a"]), "type": st.just("string")}, {})}, {}),
)


def _composites(child: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    objects = _node({"type": "object"}, {
        "properties": st.dictionaries(st.sampled_from(NAMES), child, min_size=1, max_size=4),
        "required": st.lists(st.sampled_from((*NAMES, "z")), max_size=2, unique=True),
        "additionalProperties": st.integers(0, 2).flatmap(lambda i: st.booleans() if i == 0 else child)}, {
        "minProperties": st.integers(0, 2), "maxProperties": st.integers(0, 3),
        "x-kubernetes-preserve-unknown-fields": st.just(True), "x-kubernetes-embedded-resource": st.booleans(),
        **RARE})
    arrays = _node({"type": "array"}, {
        "items": child, "minItems": st.integers(0, 2), "maxItems": st.integers(0, 3), "uniqueItems": st.booleans()}, {
        "x-kubernetes-list-type": st.sampled_from(["atomic", "set", "map"]),
        "x-kubernetes-list-map-keys": st.just(["a"]), **RARE})
    branches = CONSTRAINTS | child
    junctors = st.tuples(objects | LEAVES, _node({}, {
        "allOf": st.lists(branches, min_size=1, max_size=2), "anyOf": st.lists(branches, min_size=1, max_size=2),
        "oneOf": st.lists(branches, min_size=1, max_size=3), "not": branches}, {})).map(
        lambda pair: {**pair[0], **pair[1]})
    return st.one_of(objects, arrays, junctors)


def schemas(depth: int = 3) -> st.SearchStrategy[dict[str, Any]]:
    """Structural schemas with every feature of the walk, ``depth`` levels of nodes below the root."""
    return LEAVES if depth == 0 else LEAVES | _composites(schemas(depth - 1))


# -- values shaped by a schema, and nudged across one of its bounds ----------------------------------------------

_JUNCTORS = ("allOf", "anyOf", "oneOf")  # and not: a value shaped by its branch is one it refuses
_DEEPEST = 7


def shaped(schema: Schema, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values of the shape ``schema`` describes (types, names, sizes, bounds, patterns, enums), mostly valid."""
    options = [_by_type(schema, depth)]
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        options = [st.sampled_from(enum).map(copy.deepcopy)]
    if schema.get("nullable"):
        options.append(st.none())
    if depth < _DEEPEST:
        options.extend(shaped(sub, depth + 1) for key in _JUNCTORS for sub in schema.get(key) or ())
        if isinstance(schema.get("not"), Mapping):
            options.append(shaped(schema["not"], depth + 1))
    return st.one_of(options)


def _by_type(schema: Schema, depth: int) -> st.SearchStrategy[Any]:
    t = schema.get("type")
    if schema.get("x-kubernetes-int-or-string"):
        return _integers(schema) | _strings(schema)
    if t == "string":
        return _strings(schema)
    if t == "integer":
        return _integers(schema) | _integers(schema).map(float)
    if t == "number":
        return _integers(schema) | st.floats(-10, 10) if "multipleOf" not in schema else _integers(schema)
    if t == "boolean":
        return st.booleans()
    if t == "array":
        return _arrays(schema, depth)
    if t == "object" or "properties" in schema:
        return _objects(schema, depth)
    return FINITE_JSON


def _strings(schema: Schema) -> st.SearchStrategy[str]:
    low, high = schema.get("minLength", 0), schema.get("maxLength", 8)
    options = [st.text("abz09-:.", min_size=min(low, 8), max_size=max(min(high, 8), min(low, 8)))]
    fmt = schema.get("format")
    if isinstance(fmt, str):
        options = [st.sampled_from(FORMAT_VALUES)]
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        with contextlib.suppress(re.error):  # a Go-only pattern: the other strings then
            options = [st.from_regex(re.compile(pattern), fullmatch=True)]
    return st.one_of(options)


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and abs(v) < 2**62


def _integers(schema: Schema) -> st.SearchStrategy[int]:
    low, high = schema.get("minimum", -10), schema.get("maximum", 10)
    low = math.ceil(low) + bool(schema.get("exclusiveMinimum")) if _is_number(low) else -10
    high = math.floor(high) - bool(schema.get("exclusiveMaximum")) if _is_number(high) else 10
    low, high = min(low, high), max(low, high)
    step = schema.get("multipleOf")
    if isinstance(step, int) and step > 0:
        return st.integers(-(-low // step), max(-(-low // step), high // step)).map(lambda n: n * step)
    return st.integers(low, high)


def _arrays(schema: Schema, depth: int) -> st.SearchStrategy[list[Any]]:
    items = schema.get("items")
    if depth >= _DEEPEST or not isinstance(items, Mapping):
        return st.just([]) if depth >= _DEEPEST else st.lists(FINITE_JSON, max_size=2)
    low = min(schema.get("minItems", 0), 3)
    high = max(low, min(schema.get("maxItems", 3), 3))
    within = st.lists(shaped(items, depth + 1), min_size=low, max_size=high)
    return within | within.map(lambda found: found + found[:1]) if schema.get("uniqueItems") else within


def _objects(schema: Schema, depth: int) -> st.SearchStrategy[dict[str, Any]]:
    if depth >= _DEEPEST:
        return st.just({})
    props = schema.get("properties") or {}
    required = [name for name in schema.get("required") or () if name in props]
    fields = {name: shaped(sub, depth + 1) for name, sub in props.items()}
    value = st.fixed_dictionaries({name: fields[name] for name in required},
                                  optional={name: s for name, s in fields.items() if name not in required})
    extra = schema.get("additionalProperties")
    if extra is False:
        return value
    others = shaped(extra, depth + 1) if isinstance(extra, Mapping) else FINITE_JSON
    more = st.dictionaries(st.sampled_from(("x", "zz", *NAMES)), others, max_size=2)
    return st.tuples(more, value).map(lambda pair: {**pair[0], **pair[1]})


def _below(schema: Schema, value: Any) -> list[tuple[Any, Schema]]:
    """The (key or index, schema) of the values directly below ``value`` that ``schema`` has a schema for."""
    if isinstance(value, dict):
        props: Mapping[str, Any] = schema.get("properties") or {}
        extra: Any = schema.get("additionalProperties")
        return [(key, props.get(key, extra)) for key in value
                if isinstance(props.get(key), Mapping) or (key not in props and isinstance(extra, Mapping))]
    items = schema.get("items")
    if isinstance(value, list) and isinstance(items, Mapping):
        return [(i, items) for i in range(len(value))]
    return []


@st.composite
def nudged(draw: st.DrawFn, schema: Schema, value: Any) -> Any:
    """``value`` with one node somewhere inside moved just across one of its schema's bounds."""
    below = _below(schema, value)
    if below and draw(st.integers(0, 2)) > 0:
        key, sub = draw(st.sampled_from(below))
        value = copy.copy(value)
        value[key] = draw(nudged(sub, value[key]))
        return value
    for key in _JUNCTORS:
        branches = schema.get(key) or []
        if branches and draw(st.integers(0, 3)) == 0:
            return draw(nudged(draw(st.sampled_from(branches)), value))
    return draw(st.sampled_from(_across(schema, value)))


def _across(schema: Schema, value: Any) -> list[Any]:
    """Values just across the node's bounds from ``value``, and values of the other JSON types."""
    found: list[Any] = [None, True, 0, 1.0, 1.5, "", "a", 97, [], {}, 2**31 - 1, 2**31, -(2**31) - 1, 2**63 - 1]
    for key in ("minLength", "maxLength"):
        n = schema.get(key)
        if isinstance(n, int):
            found += ["a" * k for k in (n - 1, n, n + 1) if k >= 0]
    if isinstance(value, str):
        found += [value + "-", value.upper(), value[1:], "1" + value, *FORMAT_VALUES]
    for key in ("minimum", "maximum", "multipleOf"):
        b: Any = schema.get(key)
        if _is_number(b):
            found += [b, b - 1, b + 1, b * 2, b + 0.5, float(b), int(b)]
    if _is_number(value):
        found += [value + 1, value - 1, float(value), -value, value + 0.5]
    for member in schema.get("enum") or ():
        if _is_number(member):
            found += [float(member), int(member), str(member)]
        elif isinstance(member, str):
            found += [member + "x", member.upper()]
    if isinstance(value, list):
        found += [value + value[:1], value[:-1], [*value, None], value[::-1]]
    if isinstance(value, dict):
        found += [{k: v for k, v in value.items() if k != key} for key in value]
        found += [{**value, "zz": 1}, {**value, "zz": None, "zy": 2}]
    return found


@st.composite
def broken(draw: st.DrawFn, value: Any) -> Any:
    """``value`` with one thing changed somewhere inside, regardless of the schema: replaced by any JSON, nulled,
    removed or added."""
    if not isinstance(value, dict | list) or not value or draw(st.integers(0, 3)) == 0:
        return draw(ANY_JSON)
    value = copy.copy(value)
    key: Any = draw(st.sampled_from(sorted(value))) if isinstance(value, dict) else draw(st.integers(0, len(value) - 1))
    action = draw(st.sampled_from(("break", "null", "drop", "add")))
    if action == "break":
        value[key] = draw(broken(value[key]))
    elif action == "null":
        value[key] = None
    elif isinstance(value, dict):
        value.pop(key) if action == "drop" else value.setdefault(draw(st.sampled_from((*NAMES, "x"))), None)
    else:
        value.pop(key) if action == "drop" else value.append(draw(ANY_JSON))
    return value


@st.composite
def nulled(draw: st.DrawFn, value: Any) -> Any:
    """``value`` with some of the values inside it (a third) replaced by null."""
    if isinstance(value, dict):
        return {k: None if draw(st.integers(0, 2)) == 0 else draw(nulled(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [None if draw(st.integers(0, 2)) == 0 else draw(nulled(v)) for v in value]
    return value


# -- the checks --------------------------------------------------------------------------------------------------


def _plain(value: Any) -> bool:
    """Whether the compiled check can tell about ``value``: no integer beyond int64, no NaN or infinity."""
    if isinstance(value, dict):
        return all(_plain(v) for v in value.values())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return gorender.INT64_MIN <= value <= gorender.INT64_MAX
    return True


def _described(errors: list[Any]) -> list[tuple[Any, str, str]]:
    return [(e.kind, e.name, e.message) for e in errors]


def assert_agrees(schema: Schema, value: Any) -> bool:
    """The compiled check agrees with the walk on ``value``, and validate_schema gives the walk's errors; whether
    the walk found an error."""
    try:
        walk = values.validate_node(schema, value, "").errors
    except OverflowError:  # an integer beyond float64: the walk fails, and so does validate_schema
        with pytest.raises(OverflowError):
            values.validate_schema(schema, value)
        return True
    fast = validity.is_valid(schema, value)
    assert not (fast and walk), f"valid by the compiled check, not by the walk: {_described(walk)}"
    assert fast or walk or not _plain(value), "a plain valid value the compiled check calls invalid"
    assert _described(values.validate_schema(schema, value)) == _described(walk)
    return bool(walk)


def assert_ratchets_as_the_walk(schema: Schema, value: Any, old: Any) -> None:
    """On update, validate_schema gives the walk's errors after ratcheting (a value valid without the old one is
    valid with it)."""
    if _plain(value) and _plain(old):
        assert _described(values.validate_schema(schema, value, old)) == _described(
            values.validate_node(schema, value, "", old).errors)


@examples(400)
@given(st.data())
def test_the_compiled_check_agrees_with_the_walk_on_generated_schemas(data: st.DataObject) -> None:
    schema = data.draw(schemas())
    value = data.draw(shaped(schema))
    assert_agrees(schema, value)
    for _ in range(3):
        assert_agrees(schema, data.draw(nudged(schema, value)))
    assert_agrees(schema, data.draw(broken(value)))
    assert_agrees(schema, data.draw(ANY_JSON))
    assert_ratchets_as_the_walk(schema, data.draw(nudged(schema, value)), value)
    assert_ratchets_as_the_walk(schema, value, data.draw(nudged(schema, value)))


def test_shaped_values_are_often_valid_and_nudged_ones_often_not() -> None:
    """The generators reach both answers (else the agreement above would prove little)."""
    invalid: dict[str, list[bool]] = {"shaped": [], "nudged": []}

    @examples(150, database=None, derandomize=True)
    @given(st.data())
    def collect(data: st.DataObject) -> None:
        schema = data.draw(schemas(2))
        value = data.draw(shaped(schema))
        invalid["shaped"].append(assert_agrees(schema, value))
        invalid["nudged"].append(assert_agrees(schema, data.draw(nudged(schema, value))))

    collect()
    print({kind: f"{found.count(True)} of {len(found)} invalid" for kind, found in invalid.items()})
    assert invalid["shaped"].count(False) > len(invalid["shaped"]) / 5
    assert invalid["nudged"].count(True) > len(invalid["nudged"]) / 3


# -- the repository's CRDs ---------------------------------------------------------------------------------------


def _crds() -> list[tuple[str, dict[str, Any]]]:
    found = [(path.name, doc) for path in sorted(SYSTEM_CRDS.glob("*.yaml")) for doc in read_yaml(path.name)]
    found += [(path.name, yaml_body.load(path.read_bytes())) for path in sorted(TEST_CRDS.glob("*.yaml"))]
    return [(name, doc) for name, doc in found if doc.get("kind") == "CustomResourceDefinition"]


@functools.cache
def real_schemas() -> dict[str, dict[str, Any]]:
    """Every version's schema of every CRD of the repository, by ``file@version``."""
    return {f"{name}@{version['name']}": version["schema"]["openAPIV3Schema"]
            for name, crd in _crds() for version in crd["spec"]["versions"]}


@functools.cache
def _shaped_real(key: str) -> st.SearchStrategy[Any]:
    return shaped(real_schemas()[key])


REAL = sorted(real_schemas())


def test_every_crd_of_the_repository_is_checked() -> None:
    assert {key.split("@")[0] for key in REAL} >= {
        "tenancy.kcp.io_workspaces.yaml", "core.kcp.io_logicalclusters.yaml", "tenancy.kcp.io_workspacetypes.yaml",
        *(path.name for path in TEST_CRDS.glob("*.yaml"))}


@pytest.mark.parametrize("key", REAL)
@examples(10)
@given(data=st.data())
def test_the_compiled_check_agrees_with_the_walk_on_real_crds(key: str, data: st.DataObject) -> None:
    schema = real_schemas()[key]
    value = data.draw(_shaped_real(key))
    assert_agrees(schema, value)
    assert_agrees(schema, data.draw(nudged(schema, value)))
    assert_agrees(schema, data.draw(broken(value)))
    assert_ratchets_as_the_walk(schema, data.draw(nudged(schema, value)), value)


def _published_cases() -> Any:
    spec = importlib.util.spec_from_file_location("published_crds", Path(__file__).parent / "test_published_crds.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CASES


def _fixture_objects() -> list[tuple[str, Any]]:
    """(schema key, object) of the tests' fixtures: the published CRDs' good and bad cases, the built-in
    WorkspaceTypes."""
    found: list[tuple[str, Any]] = []
    for name, (version, good, bad, _) in _published_cases().items():
        for spec in (good, bad):
            found.append((f"{name}@{version}", {"apiVersion": "x/v1", "kind": "X", "metadata": {"name": "example"},
                                                "spec": copy.deepcopy(spec)}))
    found += [("tenancy.kcp.io_workspacetypes.yaml@v1alpha1", doc) for doc in read_yaml("workspacetypes.yaml")]
    return found


@pytest.mark.parametrize(("key", "obj"), _fixture_objects())
def test_the_compiled_check_agrees_with_the_walk_on_the_fixtures(key: str, obj: Any) -> None:
    schema = real_schemas()[key]
    assert_agrees(schema, obj)
    written = copy.deepcopy(obj)
    pruning.prune(written, schema)
    defaulting.apply_defaults(written, schema)
    assert_agrees(schema, written)
    status = schema["properties"].get("status")
    if status is not None and "status" in written:
        assert_agrees(status, written["status"])


# -- defaulting and pruning against the old walks -----------------------------------------------------------------


def _exact(value: Any) -> Any:
    """``value`` with its key order and scalar types made part of equality."""
    if isinstance(value, dict):
        return ("dict", [(k, _exact(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_exact(v) for v in value])
    return (type(value).__name__, repr(value))


def _containers(value: Any) -> set[int]:
    if isinstance(value, dict):
        return {id(value)}.union(*(_containers(v) for v in value.values()))
    if isinstance(value, list):
        return {id(value)}.union(*(_containers(v) for v in value))
    return set()


def assert_same_as_before(schema: Schema, value: Any, embedded_here: bool) -> None:
    """Null pruning, defaulting and pruning leave ``value`` as the old walks did, returning the same."""
    for new, old in ((defaulting.prune_nulls, old_prune_nulls), (defaulting.default, old_default)):
        mine, theirs = copy.deepcopy(value), copy.deepcopy(value)
        assert new(mine, schema) is None
        old(theirs, schema)
        assert _exact(mine) == _exact(theirs)
        assert not _containers(mine) & _containers(schema), "a default shared with the schema"
    if isinstance(value, dict):
        for root in (True, False):
            mine, theirs = copy.deepcopy(value), copy.deepcopy(value)
            defaulting.apply_defaults(mine, schema)
            old_apply_defaults(theirs, schema)
            assert _exact(mine) == _exact(theirs)
            assert pruning.prune(mine, schema, is_resource_root=root) == old_prune(theirs, schema,
                                                                                 is_resource_root=root)
            assert _exact(mine) == _exact(theirs)
    mine, theirs = copy.deepcopy(value), copy.deepcopy(value)
    assert pruning.prune_value(mine, schema, embedded_here=embedded_here) == old_prune_value(
        theirs, schema, embedded_here=embedded_here)
    assert _exact(mine) == _exact(theirs)


@examples(300)
@given(st.data())
def test_defaulting_and_pruning_leave_what_the_old_walks_left(data: st.DataObject) -> None:
    schema = data.draw(schemas())
    value = data.draw(shaped(schema))
    embedded_here = data.draw(st.booleans())
    assert_same_as_before(schema, value, embedded_here)
    assert_same_as_before(schema, data.draw(nulled(value)), embedded_here)
    assert_same_as_before(schema, data.draw(nudged(schema, value)), embedded_here)
    assert_same_as_before(schema, data.draw(broken(value)), embedded_here)
    assert_same_as_before(schema, data.draw(FINITE_JSON), embedded_here)


@pytest.mark.parametrize("key", REAL)
@examples(6)
@given(data=st.data())
def test_defaulting_and_pruning_of_real_crds_leave_what_the_old_walks_left(key: str, data: st.DataObject) -> None:
    schema = real_schemas()[key]
    value = data.draw(_shaped_real(key))
    assert_same_as_before(schema, value, False)
    assert_same_as_before(schema, data.draw(nulled(value)), False)
    assert_same_as_before(schema, data.draw(broken(value)), False)


@pytest.mark.parametrize(("key", "obj"), _fixture_objects())
def test_defaulting_and_pruning_of_the_fixtures_leave_what_the_old_walks_left(key: str, obj: Any) -> None:
    assert_same_as_before(real_schemas()[key], obj, False)


# -- corners the generators reach only now and then ---------------------------------------------------------------

CORNERS: list[tuple[dict[str, Any], Any]] = [
    ({"type": "array", "uniqueItems": True, "items": {"type": "object"}}, [{"a": 1}, {"a": 1}]),
    ({"type": "array", "uniqueItems": True}, [1, 1.0]),  # an int64 and a float64: not equal in Go
    ({"type": "integer", "format": "int32"}, 2**31),
    ({"type": "integer", "format": "int32"}, -(2**31)),
    ({"type": "integer", "minimum": 1, "exclusiveMinimum": True}, 1),
    ({"type": "integer", "maximum": 2**53 + 1}, 2**53 + 1),  # a bound a float64 cannot hold
    ({"type": "integer", "minimum": 0.5}, 0),
    ({"type": "array", "minItems": 1, "maxItems": 2}, []),
    ({"type": "array", "minItems": 1, "maxItems": 2}, [1, 2, 3]),
    ({"type": "string", "minLength": 2, "maxLength": 3}, "\u00e9\u00e9\u00e9"),  # lengths in runes
    ({"type": "string", "minLength": 2, "maxLength": 3}, "a"),
    ({"type": "string", "pattern": "^[a-z]+$"}, "abc\n"),  # RE2's $ is the end of the text
    ({"type": "string", "pattern": "("}, "a"),  # a pattern Go refuses fails every string
    ({"type": "string", "format": "date-time"}, "2024-02-30T00:00:00Z"),
    ({"type": "object", "required": ["a"]}, {"b": 1}),
    ({"type": "object", "minProperties": 1}, {}),
    ({"type": "object", "maxProperties": 1}, {"a": 1, "b": 2}),
    ({"anyOf": [{"required": ["a"]}, {"required": ["b"]}]}, {"c": 1}),
    ({"allOf": [{"required": ["a"]}, {"maxProperties": 1}]}, {"a": 1, "b": 2}),
    ({"not": {"required": ["a"]}}, {"a": 1}),
    ({"oneOf": [{"required": ["a"]}, {"required": ["b"]}]}, {"a": 1, "b": 2}),
    ({"x-kubernetes-int-or-string": True}, 1.5),
    ({"x-kubernetes-int-or-string": True}, 2.0),
    ({"type": "string", "enum": ["a"]}, None),
    ({"enum": [97]}, "a"),  # Go converts a number to the string of its rune
    ({"enum": [1]}, 1.7),  # and a float to an integer, truncating
    ({"type": "object", "additionalProperties": False, "properties": {"a": {}}}, {"a": 1, "b": 2}),
    ({"type": "object", "properties": {"a": {"type": "string", "nullable": True}}}, {"a": None}),
    ({"type": "object", "additionalProperties": {"type": "string", "default": "d"}}, {"k": None}),
    ({"type": "object", "additionalProperties": True}, {"k": {"deep": 1}, "j": 1}),
    ({"type": "object", "properties": {"a": True}, "additionalProperties": {"type": "string"}}, {"a": 1, "b": None}),
    ({"x-kubernetes-preserve-unknown-fields": True}, {"metadata": {"name": "n", "junk": 1}, "x": 1}),
    ({"type": "object", "x-kubernetes-embedded-resource": True, "properties": {"spec": {}}},
     {"apiVersion": "v1", "metadata": {"junk": 1}, "spec": {"a": 1}}),
]


@pytest.mark.parametrize(("schema", "value"), CORNERS)
def test_corners_agree_with_the_walks(schema: dict[str, Any], value: Any) -> None:
    assert_agrees(schema, value)
    for embedded_here in (False, True):
        assert_same_as_before(schema, value, embedded_here)


# -- the oracle: defaulting.py and pruning.py as they were --------------------------------------------------------


def old_field_schema(schema: Schema | None, key: str) -> Schema | None:
    if schema is None:
        return None
    props = schema.get("properties")
    if isinstance(props, Mapping) and isinstance(props.get(key), Mapping):
        sub: Schema = props[key]
        return sub
    extra = schema.get("additionalProperties")
    return extra if isinstance(extra, Mapping) else None


def old_non_nullable_null(value: Any, schema: Schema | None) -> bool:
    return value is None and schema is not None and not schema.get("nullable")


def old_prune_nulls(value: Any, schema: Schema | None) -> None:
    """Remove nulls that are neither allowed (nullable) nor defaulted, in place."""
    if isinstance(value, dict):
        for key in list(value):
            sub = old_field_schema(schema, key)
            if old_non_nullable_null(value[key], sub) and sub is not None and sub.get("default") is None:
                del value[key]
            else:
                old_prune_nulls(value[key], sub)
    elif isinstance(value, list):
        items = schema.get("items") if schema is not None else None
        for item in value:
            old_prune_nulls(item, items if isinstance(items, Mapping) else None)


def old_default(value: Any, schema: Schema | None) -> None:
    """Apply the schema's defaults to ``value`` in place."""
    if schema is None:
        return
    if isinstance(value, dict):
        props = schema.get("properties")
        props = props if isinstance(props, Mapping) else {}
        for key, sub in props.items():
            if not isinstance(sub, Mapping) or "default" not in sub or sub["default"] is None:
                continue
            if key not in value or old_non_nullable_null(value[key], sub):
                value[key] = copy.deepcopy(sub["default"])
        extra = schema.get("additionalProperties")
        for key in list(value):
            sub = props.get(key)
            if isinstance(sub, Mapping):
                old_default(value[key], sub)
            elif isinstance(extra, Mapping):
                if old_non_nullable_null(value[key], extra):
                    value[key] = copy.deepcopy(extra.get("default"))
                old_default(value[key], extra)
    elif isinstance(value, list):
        items = schema.get("items")
        if not isinstance(items, Mapping):
            return
        for i, item in enumerate(value):
            if old_non_nullable_null(item, items):
                value[i] = copy.deepcopy(items.get("default"))
            old_default(value[i], items)


def old_apply_defaults(obj: dict[str, Any], schema: Schema) -> None:
    """kube's null pruning then defaulting of a whole object, in place."""
    old_prune_nulls(obj, schema)
    old_default(obj, schema)


OLD_META_FIELDS = frozenset({"apiVersion", "kind", "metadata"})


def old_join(parent: str, key: str) -> str:
    return f"{parent}.{key}" if parent else key


def old_child_schema(schema: Schema, key: str) -> tuple[bool, Schema | None]:
    """(known, schema) of an object's field: a property, else additionalProperties, else unknown."""
    props = schema.get("properties")
    if isinstance(props, Mapping) and key in props:
        sub = props[key]
        return True, sub if isinstance(sub, Mapping) else {}
    if "additionalProperties" in schema:  # true, false or a schema: every key is kept, its value pruned
        extra = schema["additionalProperties"]
        return True, extra if isinstance(extra, Mapping) else None
    return False, None


def old_prune_node(value: Any, schema: Schema | None, path: str, found: list[str], embedded_here: bool) -> None:
    if schema is not None and schema.get("x-kubernetes-preserve-unknown-fields") is True:
        old_skip_prune(value, schema, path, found, embedded_here)
        return
    if isinstance(value, dict):
        if schema is None:
            for key in list(value):
                found.append(old_join(path, key))
                del value[key]
            return
        is_embedded = embedded_here or bool(schema.get("x-kubernetes-embedded-resource"))
        for key in list(value):
            if is_embedded and key in OLD_META_FIELDS:
                if key == "metadata":
                    found.extend(embedded.prune_object_meta(value, path))
                continue
            known, sub = old_child_schema(schema, key)
            if known:
                old_prune_node(value[key], sub, old_join(path, key), found, False)
            else:
                found.append(old_join(path, key))
                del value[key]
    elif isinstance(value, list):
        items = schema.get("items") if schema is not None else None
        for i, item in enumerate(value):
            old_prune_node(item, items if isinstance(items, Mapping) else None, f"{path}[{i}]", found, False)


def old_skip_prune(value: Any, schema: Schema, path: str, found: list[str], embedded_here: bool) -> None:
    if isinstance(value, dict):
        is_embedded = embedded_here or bool(schema.get("x-kubernetes-embedded-resource"))
        for key in list(value):
            if is_embedded and key in OLD_META_FIELDS:
                if key == "metadata":
                    found.extend(embedded.prune_object_meta(value, path))
                continue
            known, sub = old_child_schema(schema, key)
            if known:
                old_prune_node(value[key], sub, old_join(path, key), found, False)
    elif isinstance(value, list):
        items = schema.get("items")
        if isinstance(items, Mapping):
            for i, item in enumerate(value):
                old_skip_prune(item, items, f"{path}[{i}]", found, False)


def old_prune(obj: dict[str, Any], schema: Schema, *, is_resource_root: bool = True) -> list[str]:
    """Prune ``obj`` in place against ``schema``; the paths of what was dropped, sorted.

    At the resource root (the default) apiVersion, kind and metadata are always kept, as in an embedded
    resource, and metadata is trimmed to ObjectMeta's fields (``metadata.foo`` is reported)."""
    found: list[str] = []
    if is_resource_root:
        found.extend(embedded.prune_object_meta(obj, ""))
        for key in list(obj):
            if key in OLD_META_FIELDS:
                continue
            known, sub = old_child_schema(schema, key)
            if known:
                old_prune_node(obj[key], sub, key, found, False)
            elif schema.get("x-kubernetes-preserve-unknown-fields") is not True:
                found.append(key)
                del obj[key]
    else:
        old_prune_node(obj, schema, "", found, False)
    found.sort()
    return found


def old_prune_value(value: Any, schema: Schema, *, embedded_here: bool = False) -> list[str]:
    """Prune any JSON value (not a whole resource) in place; the dropped paths, sorted."""
    found: list[str] = []
    old_prune_node(value, schema, "", found, embedded_here)
    found.sort()
    return found
