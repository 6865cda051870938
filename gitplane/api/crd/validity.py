"""A fast answer to one question: would kube-openapi's walk (:func:`.values.validate_node`) find no error?

Almost every write is valid, and for a valid value the walk does work nobody reads: a Result per node and per
check, match counts, paths joined for messages never written. So a schema is compiled into a tree of closures,
one per schema node, each node when a value first reaches it (most of a large schema is never visited), holding
the node's checks precomputed for each JSON kind a value may have (null, boolean, integer, number, string,
array, object): the walk's own checks, in the walk's own terms:

    type        which kinds the node's type, format, nullable and int-or-string admit, decided when compiling
                (only whether a float is integral, at an integer node, is left to run time)
    string      length bounds (in runes), the pattern's RE2 program (:mod:`.regex`), the format's check
                (:mod:`.formats`), the enum's strings as a set
    number      nothing for an int64 at an unbounded node; :func:`.numbers.check_number` itself where a bound
                or a narrower range (int32, float, an integer node's float) applies
    array       items, minItems, maxItems, uniqueItems (Go's equality, :func:`.values.go_deep_equal`)
    object      properties by name, additionalProperties (a schema, or false), required, min/maxProperties
    enum        a string against the set; any other value with Go's conversions (:func:`.values.enum_allows`)
    junctors    allOf, anyOf, oneOf, not, over the branches' compiled checks: these are exact, so ``not`` and
                oneOf's count need no walk

    is_valid(schema, value) -> bool   True exactly when validate_node(schema, value, "") has no error; False
                                      when it has one, or when the compiled check cannot tell

:func:`.values.validate_schema` asks it first and walks only when the answer is False (the walk then words the
errors and ratchets them against an old object). The check cannot tell, and so leaves the value to the walk,
for values that are not plain decoded JSON (subclasses, tuples, other Mappings), integers beyond int64 and
non-finite floats (the walk converts them as Go holds them), and schema keywords of a JSON type kube's decoder
refuses (a junctor or ``required`` that is not a list). Inside, that is the :class:`_Unknown` exception, which
no junctor catches: a branch that cannot tell is never taken for one that fails (which would let a ``not``
pass).

A schema is compiled once per schema object (its root; the nodes below as they are reached), in a
:class:`PerSchema` cache, which :mod:`.defaulting` and :mod:`.pruning` use for what they precompute too.
Schemas are not changed once served: the registry keeps one strategy per served type, holding its own copy of
the version's schema, and hands that same object to every write; a new CRD version is a new object. The cache
is keyed by ``id(schema)`` and each entry holds the schema itself, so the id cannot be reused while the entry
lives. Dicts cannot be weakly referenced, and the CRD checks also validate each default against a sub-schema
of the CRD being written (a new object every time), so the cache is a bounded LRU rather than a mapping that
only grows, large enough for the schemas of every strategy the router keeps (4096, each validating whole
objects and their status).
"""

from __future__ import annotations

import math
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

import re2  # type: ignore[import-untyped]

from gitplane.api.crd import formats, gorender, numbers, regex, values

Schema = Mapping[str, Any]
Check = Callable[[Any], bool]
T = TypeVar("T")
K = TypeVar("K")

_JUNCTOR_LISTS = ("anyOf", "oneOf", "allOf")
_NUMBER_BOUNDS = ("multipleOf", "minimum", "maximum")
_INT32 = (-(1 << 31), (1 << 31) - 1)
_INT64 = (gorender.INT64_MIN, gorender.INT64_MAX)
_EXACT_IN_FLOAT = 1 << 53


class _Unknown(Exception):
    """The compiled check cannot tell; the walk decides."""


class PerSchema(Generic[T]):
    """What ``build`` makes of a schema, built once per schema object and kept for the ``limit`` most recently
    used ones (see the module docstring for why a schema's id is a safe key)."""

    def __init__(self, build: Callable[[Schema], T], limit: int = 8192) -> None:
        self._build = build
        self._limit = limit
        self._entries: OrderedDict[int, tuple[Schema, T]] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, schema: Schema) -> T:
        key = id(schema)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                return entry[1]
        built = self._build(schema)
        with self._lock:
            self._entries[key] = (schema, built)
            if len(self._entries) > self._limit:
                self._entries.popitem(last=False)
        return built


def is_valid(schema: Schema, value: Any) -> bool:
    """Whether ``validate_node(schema, value, "")`` surely has no error (False: it has one, or cannot tell)."""
    try:
        return _compiled(schema)(value)
    except _Unknown:
        return False


def _passes(value: Any) -> bool:
    return True


def _fails(value: Any) -> bool:
    return False


def _cannot_tell(value: Any) -> bool:
    raise _Unknown


def _int_keyword(schema: Schema, key: str) -> int | None:
    v = schema.get(key)
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _all(checks: list[Check | None]) -> Check:
    present = [c for c in checks if c is not None and c is not _passes]
    if not present:
        return _passes
    if len(present) == 1:
        return present[0]
    first, *rest = present

    def check(value: Any) -> bool:
        return first(value) and all(c(value) for c in rest)

    return check


def _compile(schema: Schema) -> Check:
    """The check of one node (and, through its closures, of every node below it)."""
    types = formats.schema_types(schema)
    fmt = formats.effective_format(schema)
    enum = schema.get("enum")
    enum = enum if isinstance(enum, list) and enum else None
    null_rejected = bool(types) and "null" not in types and not schema.get("nullable")
    junctors = _junctor_check(schema)
    others_enum = None if enum is None else _enum_check(enum)

    def kind(name: str, *specific: Check | None, enum_check: Check | None = others_enum) -> Check:
        if not _admits(types, fmt, name):
            return _fails
        return _all([*specific, junctors, enum_check])

    int_bound, float_bound = _number_checks(schema, fmt)
    by_type: dict[type, Check] = {
        type(None): _fails if null_rejected or enum is not None else _passes,
        bool: kind("boolean"),
        int: _within_int64(kind("integer", int_bound)),
        float: _finite(_float_check(types, fmt, _all([float_bound, junctors, others_enum]))),
        str: kind("string", _string_check(schema, fmt, enum), enum_check=None),
        list: kind("array", _array_check(schema)),
        dict: kind("object", _object_check(schema)),
    }

    def check(value: Any) -> bool:
        return by_type.get(type(value), _cannot_tell)(value)

    if by_type[str] is not _passes:
        return check

    def check_a_string_first(value: Any) -> bool:  # most leaves are strings with nothing more to check
        return type(value) is str or check(value)

    return check_a_string_first


_compiled = PerSchema(_compile)


def _admits(types: tuple[str, ...], fmt: str, kind: str) -> bool:
    """values' type check of a non-null value of JSON ``kind`` (an integral float aside: see _float_check)."""
    if kind in ("string", "array"):
        return not types or kind in types or (bool(fmt) and "number" not in types and "integer" not in types)
    return (not types and not fmt) or kind in types or (kind == "integer" and "number" in types)


def _float_check(types: tuple[str, ...], fmt: str, rest: Check) -> Check:
    if _admits(types, fmt, "number"):
        return rest
    if "integer" not in types:
        return _fails

    def integral(value: float) -> bool:
        return numbers.is_json_integer(value) and rest(value)

    return integral


def _within_int64(rest: Check) -> Check:
    def check(value: int) -> bool:
        if not gorender.INT64_MIN <= value <= gorender.INT64_MAX:
            raise _Unknown
        return rest(value)

    return check


def _finite(rest: Check) -> Check:
    def check(value: float) -> bool:
        if not math.isfinite(value):
            raise _Unknown
        return rest(value)

    return check


def _number_checks(schema: Schema, fmt: str) -> tuple[Check | None, Check | None]:
    """The numeric checks of an int64 and of a finite float (None: nothing can fail)."""

    def exact(value: int | float) -> bool:
        return not numbers.check_number(value, schema, fmt, "")

    t = schema.get("type")
    declared = t if t in ("integer", "number") and not schema.get("x-kubernetes-int-or-string") else ""
    bounded = any(_is_number(schema.get(key)) for key in _NUMBER_BOUNDS)
    interval = _int_interval(schema, fmt) if declared == "integer" else None
    if interval is not None:
        least, most = interval
        in_range = None if interval == _INT64 else lambda value: least <= value <= most
        return in_range, exact
    if bounded or declared == "integer":
        return exact, exact
    if declared == "number" and fmt == "float":
        return None, exact
    return None, None


def _int_interval(schema: Schema, fmt: str) -> tuple[int, int] | None:
    """The ints an integer node admits, as (least, most), when its bounds are plain: ints within the format's
    range and exact as floats (as check_number compares them), no multipleOf; None otherwise."""
    if _is_number(schema.get("multipleOf")):
        return None
    least, most = low, high = _INT32 if fmt == "int32" else _INT64
    for key, exclusive_key, upper in (("minimum", "exclusiveMinimum", False), ("maximum", "exclusiveMaximum", True)):
        bound = schema.get(key)
        if not _is_number(bound):
            continue
        if not isinstance(bound, int) or not low <= bound <= high or abs(bound) > _EXACT_IN_FLOAT:
            return None
        shift = 1 if schema.get(exclusive_key) else 0
        if upper:
            most = min(most, bound - shift)
        else:
            least = max(least, bound + shift)
    return least, most


def _string_check(schema: Schema, fmt: str, enum: list[Any] | None) -> Check:
    longest, shortest = _int_keyword(schema, "maxLength"), _int_keyword(schema, "minLength")
    pattern = schema.get("pattern")
    search: Callable[[str], bool] | None = None
    if isinstance(pattern, str) and pattern:
        try:
            search = _searcher(regex.compile_go(pattern))
        except regex.GoRegexError:
            return _fails
    in_format = formats.CHECKS.get(formats.normalize(fmt)) if fmt else None
    allowed = None if enum is None else frozenset(a for a in enum if type(a) is str)
    if longest is None and shortest is None and search is None and in_format is None and allowed is None:
        return _passes
    most = sys.maxsize if longest is None else longest
    least = 0 if shortest is None else shortest

    def check(value: str) -> bool:
        return (
            least <= len(value) <= most
            and (search is None or search(value))
            and (in_format is None or in_format(value))
            and (allowed is None or value in allowed)
        )

    return check


def _searcher(program: Any) -> Callable[[str], bool]:
    """:func:`.regex.matches` with the pattern's program: google-re2's ``search`` wraps one call of the engine
    in a generator and span decoding that cost four times the match, so the engine is called directly (through
    ``search`` if a binding's version lacks the call)."""
    engine = getattr(program, "_regexp", None)
    if engine is None:
        return lambda text: program.search(text) is not None
    unanchored = re2._Anchor.UNANCHORED
    no_match = (-1, -1)

    def found(text: str) -> bool:
        encoded = text.encode()
        return bool(engine.Match(unanchored, encoded, 0, len(encoded))[0] != no_match)

    return found


def _enum_check(enum: list[Any]) -> Check:
    def check(value: Any) -> bool:
        return values.enum_allows(enum, value)

    return check


def _array_check(schema: Schema) -> Check:
    items = schema.get("items")
    item_table = _later_all([items] if isinstance(items, Mapping) else [])
    fewest, most = _int_keyword(schema, "minItems"), _int_keyword(schema, "maxItems")
    least = 0 if fewest is None else fewest
    most = sys.maxsize if most is None else most
    unique = schema.get("uniqueItems") is True
    if not item_table and fewest is None and most == sys.maxsize and not unique:
        return _passes

    def check(value: list[Any]) -> bool:
        if not least <= len(value) <= most:
            return False
        if item_table and not all(map(item_table[0], value)):
            return False
        return not unique or _distinct(value)

    return check


def _distinct(items: list[Any]) -> bool:
    seen: list[Any] = []
    for item in items:
        if any(values.go_deep_equal(item, other) for other in seen):
            return False
        seen.append(item)
    return True


def _object_check(schema: Schema) -> Check:
    properties = schema.get("properties")
    props: Mapping[str, Any] = properties if isinstance(properties, Mapping) else {}
    extra = schema.get("additionalProperties")
    others = {0: _fails} if extra is False else _later_all([extra] if isinstance(extra, Mapping) else [])
    fields: dict[str, Check] = {}
    for name, sub in props.items():
        if isinstance(sub, Mapping):
            fields[name] = _later(fields, name, sub)
        elif others:  # a property that is no schema: known, so not one of the others, and unchecked
            fields[name] = _passes
    required = schema.get("required") or []
    if not isinstance(required, list):
        return _cannot_tell
    names = tuple(name for name in required if isinstance(name, str))
    fewest, most = _int_keyword(schema, "minProperties"), _int_keyword(schema, "maxProperties")
    least = 0 if fewest is None else fewest
    most = sys.maxsize if most is None else most
    if not fields and not others and not names and fewest is None and most == sys.maxsize:
        return _passes

    def check(value: dict[str, Any]) -> bool:
        if not least <= len(value) <= most:
            return False
        for name in names:
            if name not in value:
                return False
        other_keys = others.get(0)
        for key, child in value.items():
            field = fields.get(key, other_keys)
            if field is not None and not field(child):
                return False
        return True

    return check


def _junctor_check(schema: Schema) -> Check | None:
    """allOf/anyOf/oneOf/not of a non-null value, or None when the node has none."""
    branches: dict[str, dict[int, Check]] = {}
    for key in _JUNCTOR_LISTS:
        raw = schema.get(key)
        if not raw:
            continue
        if not isinstance(raw, list):
            return _cannot_tell
        branches[key] = _later_all([sub for sub in raw if isinstance(sub, Mapping)])
    not_schema = schema.get("not")
    negated = _later_all([not_schema] if isinstance(not_schema, Mapping) else [])
    if not any(branches.values()) and not negated:
        return None
    any_of, one_of, all_of = (branches.get(key, {}).values() for key in _JUNCTOR_LISTS)

    def check(value: Any) -> bool:
        return (
            (not any_of or any(b(value) for b in any_of))
            and (not one_of or sum(b(value) for b in one_of) == 1)
            and all(b(value) for b in all_of)
            and (not negated or not negated[0](value))
        )

    return check


def _later(table: dict[K, Check], key: K, schema: Schema) -> Check:
    """A stand-in for ``table[key]``, the check of ``schema``: it compiles the node on first use and puts the check
    in its own place. Most of a large schema is never visited, and the CRD checks validate each default once
    against a sub-schema: compiling all of it up front would cost more than the walk."""

    def first_use(value: Any) -> bool:
        table[key] = compiled = _compile(schema)
        return compiled(value)

    return first_use


def _later_all(schemas: list[Schema]) -> dict[int, Check]:
    """Stand-ins (:func:`_later`) for the checks of ``schemas``, by position."""
    table: dict[int, Check] = {}
    for i, sub in enumerate(schemas):
        table[i] = _later(table, i, sub)
    return table
