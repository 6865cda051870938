"""List identity and element order for strategic merge patch, as kube's strategicpatch orders merged lists.

Why: after a merging list is merged, kube puts its elements in a definite order, and clients rely on it
(``kubectl apply`` and ``edit`` send ``$setElementOrder/<list>``); a different order is a different object
(for containers, a rollout). Precedence: ``$setElementOrder``, then the order in the patch, then live order.

How data flows: elements are identified by their merge-key value (lists of maps) or by their value (lists of
primitives), compared as Go compares interface values (``1``, ``1.0``, ``true`` and ``"1"`` all differ).
:func:`partition` splits the merged elements into those the ordering list names and the server-only rest;
:func:`interleave` sorts the first by the ordering list and the second by the live list, then merges them: a
server-only element goes first while the live list has it before the next ordered element; an ordered element
the live list lacks goes as early as it can (a patch of only new elements therefore lands in front).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

import orjson

from gitplane.api import errors
from gitplane.api.patch import rejections

KeyOf = Callable[[object], Hashable]
T = TypeVar("T")


def identity(value: object) -> Hashable:
    """A hashable identity of a decoded JSON value: equal iff Go's ``==`` on the decoded values is true."""
    if isinstance(value, dict | list):
        return ("json", orjson.dumps(value, option=orjson.OPT_SORT_KEYS))
    return (type(value), value)


def key_function(merge_key: str, elements: Sequence[object], path: str) -> KeyOf:
    """How the elements of a merging list are identified: by merge key for maps, else by value."""
    if merge_key and any(isinstance(e, dict) for e in elements):
        return merge_key_of(merge_key, path)
    return identity


def merge_key_of(merge_key: str, path: str) -> KeyOf:
    """Identify map elements by the value of ``merge_key``; an element without one is a bad request."""

    def key_of(element: object) -> Hashable:
        if not isinstance(element, dict):
            kind = rejections.json_type(element)
            rendered = rejections.render(element)
            raise errors.bad_request(f"{path}: expected a map, but received a {kind}: {rendered}")
        if merge_key not in element:
            raise no_merge_key(element, merge_key, path)
        return identity(element[merge_key])

    return key_of


def no_merge_key(element: object, merge_key: str, path: str) -> errors.APIError:
    return errors.bad_request(
        f"{path}: map: {rejections.render(element)} does not contain declared merge key: {merge_key}")


def element_kind(path: str, *lists: Sequence[object]) -> type | None:
    """The one Python type of all elements of ``lists`` (None when all are empty).

    Raises:
        APIError: 422 (generic, as kube) for a list of lists; 400 for null or mixed element types.
    """
    kind: type | None = None
    for elements in lists:
        for element in elements:
            current = type(element)
            if current is list:
                raise rejections.not_applicable()
            if element is None:
                raise errors.bad_request(f"{path}: null is not a valid element of a merging list")
            if kind is None:
                kind = current
            elif kind is not current:
                raise errors.bad_request(
                    f"{path}: list element types are not identical: {rejections.render(list(lists))}")
    return kind


def unique(elements: Sequence[T]) -> list[T]:
    """``elements`` without repeats (first occurrence kept), by value identity."""
    seen: set[Hashable] = set()
    out: list[T] = []
    for element in elements:
        token = identity(element)
        if token not in seen:
            seen.add(token)
            out.append(element)
    return out


def partition(merged: Sequence[T], order: Sequence[object], key_of: KeyOf) -> tuple[list[T], list[T]]:
    """Split ``merged`` into the elements ``order`` names and the rest, keeping their relative order."""
    named = {key_of(e) for e in order}
    in_order: list[T] = []
    rest: list[T] = []
    for element in merged:
        (in_order if key_of(element) in named else rest).append(element)
    return in_order, rest


def interleave(ordered: Sequence[T], server_only: Sequence[T], order: Sequence[object],
               live: Sequence[object], key_of: KeyOf) -> list[T]:
    """Sort ``ordered`` by ``order``, ``server_only`` by ``live``, then merge the two by ``live``'s order."""
    order_rank = _ranks(order, key_of)
    live_rank = _ranks(live, key_of)
    ordered_keyed = sorted(((key_of(e), e) for e in ordered),
                           key=lambda pair: order_rank.get(pair[0], len(order_rank)))
    server_keyed = sorted(((key_of(e), e) for e in server_only),
                          key=lambda pair: live_rank.get(pair[0], len(live_rank)))
    out: list[T] = []
    i = j = 0
    while i < len(server_keyed) and j < len(ordered_keyed):
        server_rank = live_rank.get(server_keyed[i][0])
        ordered_rank = live_rank.get(ordered_keyed[j][0])
        if server_rank is not None and ordered_rank is not None and server_rank < ordered_rank:
            out.append(server_keyed[i][1])
            i += 1
        else:
            out.append(ordered_keyed[j][1])
            j += 1
    out.extend(element for _, element in server_keyed[i:])
    out.extend(element for _, element in ordered_keyed[j:])
    return out


def _ranks(elements: Sequence[object], key_of: KeyOf) -> dict[Hashable, int]:
    ranks: dict[Hashable, int] = {}
    for index, element in enumerate(elements):
        ranks.setdefault(key_of(element), index)
    return ranks


def check_set_order(patch_list: Sequence[object], order: Sequence[object], merge_key: str, path: str) -> None:
    """Reject a patch list whose elements (deletions aside) do not appear in ``$setElementOrder`` in order."""
    if not patch_list or not order:
        return
    key_of = merge_key_of(merge_key, path) if merge_key else identity
    pending = [e for e in patch_list if not (isinstance(e, dict) and "$patch" in e)]
    index = 0
    for wanted in order:
        if index == len(pending):
            return
        if key_of(pending[index]) == key_of(wanted):
            index += 1
    if index < len(pending):
        raise errors.bad_request(f"{path}: the order in patch list {rejections.render(patch_list)} doesn't "
                                 f"match $setElementOrder list {rejections.render(order)}")
