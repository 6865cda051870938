"""Field sets: which fields of an object a manager owns, as structured-merge-diff models them.

A field is named by a path of *path elements*, each kept as the string kube writes in ``FieldsV1``:

    f:<name>         a field of a map or struct           f:data, f:metadata
    k:<json object>  an element of a map-list by its keys  k:{"containerPort":80,"protocol":"TCP"}
    v:<json value>   an element of a set                   v:"example.com/finalizer"
    i:<index>        an element of an atomic list (paths only, never in managed fields)

Keeping elements as their canonical strings (compact JSON, keys sorted, HTML characters escaped as Go does)
makes them hashable and comparable for free, and makes ``FieldsV1`` encoding a matter of ordering keys.
A :class:`FieldSet` is a tree: the elements that are *members* of the set at one level, and the *children*
(elements with members below them). A node may be both, which ``FieldsV1`` writes as ``".": {}``.

Set operations follow structured-merge-diff exactly, including its asymmetric ``difference`` (removing a
member does not remove what lies below it) and ``recursive_difference`` (it does). Serialization lives in
:mod:`gitplane.api.apply.fieldsv1`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson

from gitplane.api import gosyntax

Path = tuple[str, ...]
"""A field path: a tuple of path elements, outermost first."""

_HTML_UNSAFE = re.compile("[<>&\u2028\u2029]")
_HTML_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026",
                 0x2028: "\\u2028", 0x2029: "\\u2029"}
_GO_MAX_PLAIN_FLOAT = 1e21


def _go_numbers(value: Any) -> Any:
    """Integral floats as ints, because Go writes ``float64(80)`` as ``80``."""
    kind = type(value)
    if kind is float:
        return int(value) if value.is_integer() and abs(value) < _GO_MAX_PLAIN_FLOAT else value
    if kind is dict:
        if all(type(v) in _PLAIN for v in value.values()):
            return value
        return {k: _go_numbers(v) for k, v in value.items()}
    if kind is list:
        return [_go_numbers(v) for v in value]
    return value


_PLAIN = (str, int, bool, type(None))
_ELEMENT_CACHE_LIMIT = 16384
_element_cache: dict[tuple[Any, ...], str] = {}


def _memoized(cache_key: tuple[Any, ...], prefix: str, value: Any) -> str:
    """``prefix`` + the canonical JSON of ``value``, remembered by ``cache_key`` (elements repeat across
    the walks of one write and across writes of the same objects)."""
    try:
        found = _element_cache.get(cache_key)
    except TypeError:  # an unhashable key value (a list or map): rare, not worth remembering
        return prefix + canonical_json(value)
    if found is None:
        if len(_element_cache) >= _ELEMENT_CACHE_LIMIT:
            _element_cache.clear()
        found = _element_cache[cache_key] = prefix + canonical_json(value)
    return found


def canonical_json(value: Any) -> str:
    """JSON as Go's encoder writes it for path elements: compact, map keys sorted, ``<>&`` escaped."""
    text = orjson.dumps(_go_numbers(value), option=orjson.OPT_SORT_KEYS).decode()
    if _HTML_UNSAFE.search(text):
        text = text.translate(_HTML_ESCAPES)
    return text


def field(name: str) -> str:
    """The path element of a map field or struct field."""
    return "f:" + name


def key_element(fields: Mapping[str, Any]) -> str:
    """The path element of a map-list element identified by its key fields."""
    cache_key = ("k", tuple(fields.items()), tuple(map(type, fields.values())))
    return _memoized(cache_key, "k:", fields if type(fields) is dict else dict(fields))


def value_element(value: Any) -> str:
    """The path element of a set element."""
    return _memoized(("v", type(value), value), "v:", value)


def index_element(index: int) -> str:
    """The path element of an atomic-list element (only ever part of a path, never owned)."""
    return f"i:{index}"


# -- ordering ----------------------------------------------------------------------------------------------
def _value_order(value: Any) -> tuple[Any, ...]:
    """structured-merge-diff's total order of values: numbers < strings < booleans < lists < maps < null."""
    if isinstance(value, bool):
        return (2, value)
    if isinstance(value, int | float):
        return (0, value)
    if isinstance(value, str):
        return (1, value)
    if isinstance(value, list):
        return (3, tuple(_value_order(v) for v in value))
    if isinstance(value, dict):
        return (4, tuple((k, _value_order(value[k])) for k in sorted(value)))
    return (5,)


def element_order(element: str) -> tuple[Any, ...]:
    """Sort key of path elements as structured-merge-diff orders them: fields, keys, values, indexes."""
    kind = element[0]
    if kind == "f":
        return (0, element[2:])
    if kind == "k":
        fields = orjson.loads(element[2:])
        return (1, tuple((name, _value_order(fields[name])) for name in sorted(fields)))
    if kind == "v":
        return (2, _value_order(orjson.loads(element[2:])))
    return (3, int(element[2:]))


# -- rendering ---------------------------------------------------------------------------------------------
def _go_float(value: float) -> str:
    """Go's ``%v`` of a float64: shortest digits, exponent form below 1e-4 and from 1e6 on."""
    number = Decimal(repr(value)).normalize()
    sign, digits, exponent = number.as_tuple()
    if not isinstance(exponent, int):  # JSON numbers are finite; keep Python's text otherwise
        return repr(value)
    text = "".join(map(str, digits))
    point = len(text) + exponent - 1
    if point < -4 or point >= 6:
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return f"{'-' if sign else ''}{mantissa}e{'-' if point < 0 else '+'}{abs(point):02d}"
    return format(number, "f")


def _value_string(value: Any) -> str:
    """structured-merge-diff's ``value.ToString``, used in conflict paths."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _go_float(value)
    if isinstance(value, str):
        return gosyntax.go_quote(value)
    if isinstance(value, list):
        return "[" + ",".join(_value_string(v) for v in value) + "]"
    return "".join(f"{k}={_value_string(value[k])}" for k in sorted(value))


def element_string(element: str) -> str:
    """How kube prints one path element: ``.name``, ``[name="c"]``, ``[=value]``, ``[0]``."""
    kind, body = element[0], element[2:]
    if kind == "f":
        return "." + body
    if kind == "k":
        fields = orjson.loads(body)
        return "[" + ",".join(f"{name}={_value_string(fields[name])}" for name in fields) + "]"
    if kind == "v":
        return "[=" + _value_string(orjson.loads(body)) + "]"
    return "[" + body + "]"


def path_string(path: Sequence[str]) -> str:
    """How kube prints a field path in conflicts and errors, e.g. ``.spec.containers[name="c"].image``."""
    return "".join(element_string(e) for e in path)


# -- sets --------------------------------------------------------------------------------------------------
_NO_CHILDREN: Mapping[str, FieldSet] = {}


@dataclass(frozen=True, slots=True, eq=False)
class FieldSet:
    """An immutable set of field paths, as a tree of members and children.

    Invariant: no child set is empty, so a set is empty exactly when it has neither members nor children.
    """

    members: frozenset[str]
    children: Mapping[str, FieldSet]

    @classmethod
    def of(cls, members: Iterable[str] = (), children: Mapping[str, FieldSet] | None = None) -> FieldSet:
        """A set from its members and child sets (empty child sets are left out)."""
        if children and any(c.empty for c in children.values()):
            children = {pe: c for pe, c in children.items() if not c.empty}
        return cls(frozenset(members), children or _NO_CHILDREN)

    @classmethod
    def from_paths(cls, paths: Iterable[Sequence[str]]) -> FieldSet:
        """The set holding exactly ``paths``; the empty path (the whole object) is never owned."""
        root = _Builder()
        for path in paths:
            if path:
                root.insert(path)
        return root.build()

    @property
    def empty(self) -> bool:
        return not self.members and not self.children

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FieldSet):
            return NotImplemented
        return self is other or (self.members == other.members and self.children == other.children)

    __hash__ = None  # type: ignore[assignment]

    def has(self, path: Sequence[str]) -> bool:
        """Whether ``path`` is a member."""
        node: FieldSet | None = self
        for element in path[:-1]:
            node = node.children.get(element) if node is not None else None
        return bool(path) and node is not None and path[-1] in node.members

    def child(self, element: str) -> FieldSet:
        """The paths below ``element``, without the prefix."""
        return self.children.get(element, EMPTY)

    def paths(self) -> Iterator[Path]:
        """Every member path, members before children at each level, each in element order."""
        yield from self._paths(())

    def _paths(self, prefix: Path) -> Iterator[Path]:
        for element in sorted(self.members, key=element_order):
            yield (*prefix, element)
        for element in sorted(self.children, key=element_order):
            yield from self.children[element]._paths((*prefix, element))

    def union(self, other: FieldSet) -> FieldSet:
        if other.empty or other is self:
            return self
        if self.empty:
            return other
        children = dict(self.children)
        for element, theirs in other.children.items():
            mine = children.get(element)
            children[element] = theirs if mine is None else mine.union(theirs)
        return FieldSet(self.members | other.members, children)

    def intersection(self, other: FieldSet) -> FieldSet:
        if other is self:
            return self
        if self.empty or other.empty:
            return EMPTY
        children = {}
        small, large = (self, other) if len(self.children) <= len(other.children) else (other, self)
        for element, mine in small.children.items():
            theirs = large.children.get(element)
            if theirs is not None:
                both = mine.intersection(theirs)
                if not both.empty:
                    children[element] = both
        return FieldSet(self.members & other.members, children or _NO_CHILDREN)

    def difference(self, other: FieldSet) -> FieldSet:
        """Members of ``self`` that are not members of ``other``; a member of ``other`` does not remove
        what ``self`` holds below it (structured-merge-diff's ``Difference``)."""
        if other.empty or self.empty:
            return self
        members = self.members - other.members if other.members else self.members
        changed = len(members) != len(self.members)
        children: dict[str, FieldSet] = {}
        for element, mine in self.children.items():
            theirs = other.children.get(element)
            rest = mine if theirs is None else mine.difference(theirs)
            changed = changed or rest is not mine
            if not rest.empty:
                children[element] = rest
        if not changed:
            return self
        return FieldSet(members, children or _NO_CHILDREN)

    def recursive_difference(self, other: FieldSet) -> FieldSet:
        """Like :meth:`difference`, but a member of ``other`` also removes everything below it."""
        if other.empty or self.empty:
            return self
        members = self.members - other.members
        children: dict[str, FieldSet] = {}
        for element, mine in self.children.items():
            if element in other.members:
                continue
            theirs = other.children.get(element)
            rest = mine if theirs is None else mine.recursive_difference(theirs)
            if not rest.empty:
                children[element] = rest
        return FieldSet(frozenset(members), children or _NO_CHILDREN)

    def leaves(self) -> FieldSet:
        """Only the members that have nothing below them."""
        children = {e: c.leaves() for e, c in self.children.items()}
        return FieldSet.of(self.members - self.children.keys(), children)

    def __repr__(self) -> str:
        return "FieldSet(" + ", ".join(path_string(p) for p in self.paths()) + ")"


EMPTY = FieldSet(frozenset(), _NO_CHILDREN)


class _Builder:
    """A mutable set under construction, frozen once by :meth:`build`."""

    __slots__ = ("children", "members")

    def __init__(self) -> None:
        self.members: set[str] = set()
        self.children: dict[str, _Builder] = {}

    def insert(self, path: Sequence[str]) -> None:
        node = self
        for element in path[:-1]:
            below = node.children.get(element)
            if below is None:
                below = node.children[element] = _Builder()
            node = below
        node.members.add(path[-1])

    def build(self) -> FieldSet:
        if not self.children:
            return FieldSet(frozenset(self.members), _NO_CHILDREN) if self.members else EMPTY
        return FieldSet(frozenset(self.members), {e: c.build() for e, c in self.children.items()})
