"""Walking objects with their type: the fields an applied configuration sets, and what a write changed.

Both walks follow structured-merge-diff's rules for what a *field* is:

- a scalar, an atomic map and an atomic list are leaves, owned whole;
- a granular map owns its keys; a key is a member when its value is a leaf, null, ``{}``, or when the key is
  not a declared property (free-form maps such as ``data`` or ``labels`` own every key they hold);
- a map-list owns its elements by key fields (``k:{"name":"c"}``), a set by value (``v:"x"``); elements
  are members and own what is inside them.

:func:`applied_fields` gives the field set of an apply configuration (validating list keys and rejecting
duplicates, as kube does for the patch). :func:`compare` gives what changed between two versions of an
object as three sets (added, modified, removed), the input of ownership bookkeeping for every write.
Both walk plain JSON values guided by a compiled :class:`~gitplane.api.apply.schematype.TypeNode`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from gitplane.api import gosyntax
from gitplane.api.apply import fieldpath
from gitplane.api.apply.fieldpath import EMPTY, FieldSet, Path
from gitplane.api.apply.schematype import ListShape, TypeNode


class TypedError(Exception):
    """An object that does not fit its type's list keys (kube's typed-conversion errors)."""

    def __init__(self, message: str, path: Path = ()) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def within(self, element: str) -> TypedError:
        """The same error, one level further down (raised again by each enclosing walk)."""
        return TypedError(self.message, (element, *self.path))

    def __str__(self) -> str:
        return f"{fieldpath.path_string(self.path)}: {self.message}" if self.path else self.message


class _Absent:
    """A value that is not there at all (different from JSON null)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Final = _Absent()
_CONTAINERS = (dict, list)


def item_element(item: Any, shape: ListShape, index: int) -> str:
    """The path element naming one element of a set or map-list.

    Raises:
        TypedError: the element cannot be identified (kube's wording).
    """
    if shape.keys:
        if not isinstance(item, dict):
            what = "a null element" if item is None else "non-map elements"
            raise TypedError(f"element {index}: associative list with keys may not have {what}")
        fields: dict[str, Any] = {}
        for name in shape.keys:
            if name in item:
                fields[name] = item[name]
            else:
                default = shape.key_default(name)
                if default is not None:
                    fields[name] = default
        if not fields:
            keys = "[" + " ".join(gosyntax.go_quote(k) for k in shape.keys) + "]"
            raise TypedError(f"element {index}: associative list with keys has an element that omits all "
                             f"key fields {keys} (and doesn't have default values for any key fields)")
        return fieldpath.key_element(fields)
    if isinstance(item, dict):
        raise TypedError(f"element {index}: associative list without keys has an element that's a map type")
    if isinstance(item, list):
        raise TypedError(f"element {index}: not supported: associative list with lists as elements")
    if item is None:
        raise TypedError(f"element {index}: associative list without keys has an element that's an "
                         "explicit null")
    return fieldpath.value_element(item)


def item_elements(items: list[Any], shape: ListShape, *, allow_duplicates: bool) -> list[str]:
    """The path elements of every element of a set or map-list, in order."""
    elements = [item_element(item, shape, i) for i, item in enumerate(items)]
    if not allow_duplicates and len(set(elements)) != len(elements):
        seen: set[str] = set()
        for element in elements:
            if element in seen:
                raise TypedError(f"duplicate entries for key {fieldpath.element_string(element)}")
            seen.add(element)
    return elements


def json_equal(left: Any, right: Any) -> bool:
    """Equality of JSON values as Go compares them: ints and floats by value, booleans never equal 1/0."""
    if left is right:
        return True
    kind = type(left)
    if kind is not type(right):
        return kind in (int, float) and type(right) in (int, float) and left == right
    if kind is dict:
        return len(left) == len(right) and all(
            key in right and json_equal(value, right[key]) for key, value in left.items())
    if kind is list:
        return len(left) == len(right) and all(map(json_equal, left, right))
    return bool(left == right)


# -- the fields an applied configuration sets -------------------------------------------------------------
def applied_fields(config: dict[str, Any], node: TypeNode) -> FieldSet:
    """The field set of an apply configuration.

    Raises:
        TypedError: a list element cannot be identified, or a set or map-list repeats an element.
    """
    return _owned(config, node)[1]


def _owned(value: Any, node: TypeNode) -> tuple[bool, FieldSet]:
    """Whether ``value`` is a member by itself (a leaf), and the set it owns below itself."""
    if type(value) is dict:
        shape = node.map
        if shape is None or shape.atomic:
            return True, EMPTY
        members: list[str] = []
        children: dict[str, FieldSet] = {}
        for key, child in value.items():
            element = "f:" + key
            if type(child) not in _CONTAINERS:
                members.append(element)  # scalars and null are leaves whatever the type
                continue
            try:
                leaf, below = _owned(child, shape.field(key))
            except TypedError as exc:
                raise exc.within(element) from None
            if leaf or (type(child) is dict and not child) or not shape.named(key):
                members.append(element)
            if not below.empty:
                children[element] = below
        return False, FieldSet.of(members, children)
    if type(value) is list:
        list_shape = node.list
        if list_shape is None or list_shape.kind == "atomic":
            return True, EMPTY
        elements = item_elements(value, list_shape, allow_duplicates=False)
        element_type = list_shape.element
        below_items: dict[str, FieldSet] = {}
        for element, item in zip(elements, value, strict=True):
            try:
                _, below = _owned(item, element_type)
            except TypedError as exc:
                raise exc.within(element) from None
            if not below.empty:
                below_items[element] = below
        return False, FieldSet.of(elements, below_items)
    return True, EMPTY


# -- what a write changed ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Comparison:
    """The fields added, modified and removed between two versions of an object."""

    added: FieldSet
    modified: FieldSet
    removed: FieldSet

    def excluding(self, ignored: FieldSet) -> Comparison:
        """The comparison without ``ignored`` fields and everything below them."""
        if ignored.empty:
            return self
        return Comparison(self.added.recursive_difference(ignored),
                          self.modified.recursive_difference(ignored),
                          self.removed.recursive_difference(ignored))

    @property
    def changed(self) -> FieldSet:
        """Fields whose value is new or different (what other managers lose, or conflict on)."""
        return self.modified.union(self.added)


_MAP, _LIST, _LEAF = 0, 1, 2


def _atom(value: Any, node: TypeNode) -> int:
    """Which shape of ``node`` handles ``value`` (null takes the map shape first, as kube does)."""
    if type(value) is dict:
        return _MAP if node.map is not None else _LEAF
    if type(value) is list:
        return _LIST if node.list is not None else _LEAF
    if value is None or value is ABSENT:
        if node.map is not None:
            return _MAP
        return _LIST if node.list is not None else _LEAF
    return _LEAF


def compare(old: Any, new: Any, node: TypeNode) -> Comparison:
    """What changed from ``old`` to ``new`` (either may be :data:`ABSENT`).

    Raises:
        TypedError: a list element of either object cannot be identified.
    """
    comparer = _Comparer()
    comparer.compare(old, new, node, ())
    return Comparison(FieldSet.from_paths(comparer.added), FieldSet.from_paths(comparer.modified),
                      FieldSet.from_paths(comparer.removed))


def added_fields_v1(new: dict[str, Any], node: TypeNode) -> dict[str, Any]:
    """What a create sets, ``compare({}, new, node).changed``, written straight in the ``FieldsV1`` encoding
    (:mod:`~gitplane.api.apply.fieldsv1`, elements in its order): the common write, so one walk that builds
    no field set and has nothing to compare with.

    Raises:
        TypedError: a list element cannot be identified.
    """
    shape = node.map
    if shape is None or shape.atomic:
        return {}
    return {"f:" + key: _added(new[key], shape.field(key)) for key in sorted(new)}


def _added(value: Any, node: TypeNode) -> dict[str, Any]:
    """The encoding of ``compare(ABSENT, value, node)``'s added paths: a container that holds something owns
    its members and itself (``"."``); anything else is a leaf (``{}``)."""
    kind = type(value)
    if kind is dict and value:
        shape = node.map
        if shape is not None and not shape.atomic:
            out: dict[str, Any] = {".": {}}
            for key in sorted(value):
                out["f:" + key] = _added(value[key], shape.field(key))
            return out
    elif kind is list and value:
        list_shape = node.list
        if list_shape is not None and list_shape.kind != "atomic":
            groups = _group(value, list_shape)
            out = {".": {}}
            for element in sorted(groups, key=fieldpath.element_order):
                items = groups[element]  # a duplicated element is owned whole
                out[element] = _added(items[0], list_shape.element) if len(items) == 1 else {}
            return out
    return {}


class _Comparer:
    """One comparison walk, collecting the paths of added, modified and removed fields."""

    __slots__ = ("added", "modified", "removed")

    def __init__(self) -> None:
        self.added: list[Path] = []
        self.modified: list[Path] = []
        self.removed: list[Path] = []

    def compare(self, old: Any, new: Any, node: TypeNode, path: Path) -> None:
        if old is new:
            return
        if type(old) not in _CONTAINERS and type(new) not in _CONTAINERS and old is not ABSENT \
                and new is not ABSENT and old is not None and new is not None:
            if not json_equal(old, new):  # two scalars: a leaf whatever the type says
                self.modified.append(path)
            return
        old_atom, new_atom = _atom(old, node), _atom(new, node)
        if new is ABSENT:
            leaf = self.compare_as(old_atom, old, new, node, path)
        elif old is ABSENT or old_atom == new_atom:
            leaf = self.compare_as(new_atom, old, new, node, path)
        else:  # the value changed kind: kube walks it both ways
            self.compare_as(old_atom, old, new, node, path)
            leaf = self.compare_as(new_atom, old, new, node, path)
        if not leaf and path:
            if old is ABSENT:
                self.added.append(path)
            elif new is ABSENT:
                self.removed.append(path)

    def compare_as(self, atom: int, old: Any, new: Any, node: TypeNode, path: Path) -> bool:
        """Compare as one shape; True when the node was a leaf (and recorded as such)."""
        if atom == _MAP and node.map is not None:
            shape = node.map
            old_map = old if type(old) is dict else None
            new_map = new if type(new) is dict else None
            if not shape.atomic and (old_map or new_map):
                old_map, new_map = old_map or {}, new_map or {}
                for key, value in old_map.items():
                    self.compare(value, new_map.get(key, ABSENT), shape.field(key), (*path, "f:" + key))
                for key, value in new_map.items():
                    if key not in old_map:
                        self.compare(ABSENT, value, shape.field(key), (*path, "f:" + key))
                return False
        elif atom == _LIST and node.list is not None:
            list_shape = node.list
            old_list = old if type(old) is list else None
            new_list = new if type(new) is list else None
            if list_shape.kind != "atomic" and (old_list or new_list):
                self.compare_items(old_list or [], new_list or [], list_shape, path)
                return False
        if path:
            if old is ABSENT:
                self.added.append(path)
            elif new is ABSENT:
                self.removed.append(path)
            elif not json_equal(old, new):
                self.modified.append(path)
        return True

    def compare_items(self, old: list[Any], new: list[Any], shape: ListShape, path: Path) -> None:
        old_items, new_items = _group(old, shape), _group(new, shape)
        element_type = shape.element
        for element in [*old_items, *(e for e in new_items if e not in old_items)]:
            before, after = old_items.get(element, ()), new_items.get(element, ())
            here = (*path, element)
            if len(before) <= 1 and len(after) <= 1:
                self.compare(before[0] if before else ABSENT, after[0] if after else ABSENT, element_type,
                             here)
            elif len(before) >= 2 and len(after) >= 2:  # duplicates on both sides: compared as a whole
                if not json_equal(list(before), list(after)):
                    self.modified.append(here)
            elif len(before) >= 2:
                if after:
                    self.compare(ABSENT, after[0], element_type, here)
                self.removed.append(here)
            else:
                if before:
                    self.compare(before[0], ABSENT, element_type, here)
                self.added.append(here)


def _group(items: list[Any], shape: ListShape) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = {}
    for element, item in zip(item_elements(items, shape, allow_duplicates=True), items, strict=True):
        grouped.setdefault(element, []).append(item)
    return grouped
