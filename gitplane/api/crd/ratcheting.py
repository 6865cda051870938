"""Validation ratcheting: on update, a value the client did not change keeps passing, even if now invalid.

kube (CRDValidationRatcheting, on by default) validates an update against the old object too: each schema
node is paired with the old value at the same place, and when the node fails but its new value equals the old
one, the node's errors are dropped (kube keeps them only as warnings). This lets an object written before a
CRD tightened its schema still be updated in its other fields. Pairing follows kube's correlation rules:

    object fields      by name (the root's apiVersion and kind are never ratcheted)
    list-type map      items by their map keys
    other lists        not item by item: only the list as a whole
    junctor branches   not separately (the node they belong to is)

:data:`NO_OLD` marks a node without an old counterpart (a create, a new field, an uncorrelatable item).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

NO_OLD: Any = object()
_TYPE_META = frozenset({"apiVersion", "kind"})


def old_field(old: Any, key: str, path: str) -> Any:
    """The old value of field ``key`` of an object at ``path``, or NO_OLD."""
    if old is NO_OLD or not isinstance(old, Mapping) or key not in old:
        return NO_OLD
    if not path and key in _TYPE_META:
        return NO_OLD
    return old[key]


def old_item(schema: Mapping[str, Any], old: Any, item: Any) -> Any:
    """The old item that ``item`` of a list-type map corresponds to (same key values), or NO_OLD."""
    if old is NO_OLD or not isinstance(old, Sequence) or isinstance(old, str):
        return NO_OLD
    if schema.get("x-kubernetes-list-type") != "map" or not isinstance(item, Mapping):
        return NO_OLD
    keys = [k for k in schema.get("x-kubernetes-list-map-keys") or () if isinstance(k, str)]
    wanted = [item.get(k, NO_OLD) for k in keys]
    for candidate in old:
        if isinstance(candidate, Mapping) and [candidate.get(k, NO_OLD) for k in keys] == wanted:
            return candidate
    return NO_OLD
