"""The ``FieldsV1`` encoding of field sets, byte for byte as kube-apiserver writes it in managed fields.

    {"f:data": {".": {}, "f:k": {}}, "f:metadata": {"f:labels": {"f:app": {}}}}

Each key is a path element; its value holds what lies below. An element with nothing below it is a member
(``{}``); one with something below is a member only when it also carries ``".": {}``. Keys are written in
structured-merge-diff's element order (fields, then keys, then values, then indexes), ``"."`` first.

Reading accepts what kube accepts: elements are re-canonicalized (a client may write ``k:`` objects with
keys in any order), element types it does not know are skipped, and anything malformed raises
``ValueError`` with a message naming the bad key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import orjson

from gitplane.api.apply import fieldpath
from gitplane.api.apply.fieldpath import FieldSet

_INTEGER = re.compile(r"[+-]?[0-9]+")
_CANONICAL_CACHE_LIMIT = 8192
_canonical_cache: dict[str, str | None] = {}
_DECODED_CACHE_LIMIT = 4096
_decoded_cache: dict[bytes, FieldSet] = {}


def to_fields_v1(fields: FieldSet) -> dict[str, Any]:
    """The ``fieldsV1`` value of a managed fields entry for ``fields``."""
    return _emit(fields, include_self=False)


def _emit(fields: FieldSet, *, include_self: bool) -> dict[str, Any]:
    out: dict[str, Any] = {".": {}} if include_self else {}
    members, children = fields.members, fields.children
    if children:
        elements = sorted(members | children.keys(), key=fieldpath.element_order)
    else:
        elements = sorted(members, key=fieldpath.element_order)
    for element in elements:
        below = children.get(element)
        out[element] = {} if below is None else _emit(below, include_self=element in members)
    return out


def difference(encoded: dict[str, Any], other: FieldSet, *, recursive: bool = False) -> dict[str, Any]:
    """The encoding of ``from_fields_v1(encoded).difference(other)`` (``recursive_difference`` with
    ``recursive``), computed on the encoding itself; ``encoded`` is left as it was."""
    if other.empty:
        return encoded
    out: dict[str, Any] = {}
    members, children = other.members, other.children
    for element, below in encoded.items():
        if element == ".":
            continue
        member = not below or "." in below
        if element in members:
            if recursive:
                continue
            member = False
        theirs = children.get(element)
        if theirs is not None:
            rest = difference(below, theirs, recursive=recursive)
        elif member:
            out[element] = below
            continue
        else:
            rest = {k: v for k, v in below.items() if k != "."} if "." in below else below
        if rest:
            out[element] = {".": {}, **rest} if member else rest
        elif member:
            out[element] = {}
    return out


def from_fields_v1(encoded: Mapping[str, Any]) -> FieldSet:
    """The field set a ``fieldsV1`` value describes.

    Sets are immutable, so the set of each distinct encoding is remembered: stored objects carry the same
    few encodings over and over, and every write decodes all of an object's entries.

    Raises:
        ValueError: the value is not a valid ``FieldsV1`` object.
    """
    if not isinstance(encoded, Mapping):
        raise ValueError("FieldsV1 must be a JSON object")
    try:
        text = orjson.dumps(encoded, default=_plain_mapping)
    except TypeError as exc:
        raise ValueError(f"FieldsV1 is not JSON: {exc}") from exc
    found = _decoded_cache.get(text)
    if found is None:
        found = _read(encoded)[0]
        if len(_decoded_cache) >= _DECODED_CACHE_LIMIT:
            _decoded_cache.clear()
        _decoded_cache[text] = found
    return found


def _plain_mapping(value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def _read(encoded: Mapping[str, Any]) -> tuple[FieldSet, bool]:
    """The set below one node, and whether the node itself is a member (``"."``, or nothing below)."""
    is_member = False
    members: set[str] = set()
    children: dict[str, FieldSet] = {}
    for key, below in encoded.items():
        if key == ".":
            is_member = True
            continue
        element = canonical_element(key)
        if element is None:
            continue
        if not isinstance(below, Mapping):
            raise ValueError(f"parsing key as path element: {key!r} must map to an object")
        grandchildren, child_is_member = _read(below)
        if child_is_member:
            members.add(element)
        if not grandchildren.empty:
            known = children.get(element)
            children[element] = grandchildren if known is None else known.union(grandchildren)
    if not members and not children:
        return fieldpath.EMPTY, True
    return FieldSet(frozenset(members), children), is_member


def canonical_element(text: str) -> str | None:
    """The canonical form of a serialized path element, or None for an element type kube skips.

    Raises:
        ValueError: the element is malformed.
    """
    if text.startswith("f:"):
        return text
    cached = _canonical_cache.get(text, "")
    if cached != "":  # no element is empty, so "" means "not cached yet"
        return cached
    element = _canonicalize(text)
    if len(_canonical_cache) >= _CANONICAL_CACHE_LIMIT:
        _canonical_cache.clear()
    _canonical_cache[text] = element
    return element


def _canonicalize(text: str) -> str | None:
    if len(text) < 2:
        raise ValueError(f"key must be 2 characters long: {text!r}")
    if text[1] != ":":
        raise ValueError(f"missing colon: {text}")
    kind, body = text[0], text[2:]
    if kind == "k":
        fields = _json(body, text)
        if not isinstance(fields, dict):
            raise ValueError(f"parsing key as path element: {text!r} is not a JSON object")
        return fieldpath.key_element(fields)
    if kind == "v":
        return fieldpath.value_element(_json(body, text))
    if kind == "i":
        if not _INTEGER.fullmatch(body):
            raise ValueError(f"parsing key as path element: {text!r} is not an index")
        return fieldpath.index_element(int(body))
    return None


def _json(body: str, text: str) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"parsing key as path element: {text!r}: {exc}") from exc
