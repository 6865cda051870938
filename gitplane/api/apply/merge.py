"""Merging an applied configuration into a live object, and removing the fields an applier gave up.

:func:`merge` follows structured-merge-diff's merge of a configuration (right) into a live object (left):
granular maps merge key by key, map-lists and sets merge element by element (live elements keep their
place; new ones are placed after the configured elements they follow), and leaves, atomic maps and atomic
lists take the configured value. A null in the configuration for a granular map or an associative list
leaves the live value alone, as kube does.

:func:`prune` removes, after the merge, what the applier owned in its previous apply and no longer sets,
unless another manager (or the applier's new configuration) still owns it. It computes in one walk what
kube computes with a removal followed by two "add back" passes: an element of the applier's previous set
goes when some node on its path, at or below the first previously-owned node, is owned by nobody.

Both return new containers only where something changed: the result shares untouched sub-objects with
``live`` and ``config``, which callers must therefore not mutate afterwards. A map or list emptied by
pruning is dropped from its parent (kube leaves a null there, which its defaulting then drops for
non-nullable fields).
"""

from __future__ import annotations

from typing import Any

from gitplane.api.apply.fieldpath import FieldSet
from gitplane.api.apply.schematype import ListShape, MapShape, TypeNode
from gitplane.api.apply.typed import TypedError, item_elements


def merge(live: Any, config: Any, node: TypeNode) -> Any:
    """``config`` merged into ``live``.

    Raises:
        TypedError: a list element cannot be identified, or the configuration repeats one.
    """
    if type(live) is dict:
        if type(config) is dict:
            return config if node.map is None else _merge_maps(live, config, node.map)
        if config is None and live and node.map is not None and not node.map.atomic:
            return live  # null leaves a granular map alone
        return config
    if type(live) is list:
        shape = node.list
        if shape is None or shape.kind == "atomic" or (type(config) is not list and config is not None):
            return config
        if config is None:  # null leaves an associative list alone, unless the type could be a map
            return live if node.map is None and live else config
        if not live or not config:
            return config if config or not live else live
        return _merge_lists(live, config, shape)
    return config


def _merge_maps(live: dict[str, Any], config: dict[str, Any], shape: MapShape) -> Any:
    if shape.atomic or not live or not config:
        return config if config or not live or shape.atomic else live
    out = dict(live)
    for key, value in config.items():
        if key in live:
            try:
                out[key] = merge(live[key], value, shape.field(key))
            except TypedError as exc:
                raise exc.within("f:" + key) from None
        else:
            out[key] = value
    return out


def _merge_lists(live: list[Any], config: list[Any], shape: ListShape) -> list[Any]:
    """Merge element by element, keeping live elements in place and configured ones in their order."""
    live_elements = item_elements(live, shape, allow_duplicates=True)
    config_elements = item_elements(config, shape, allow_duplicates=False)
    live_by_element: dict[str, Any] = {}
    for element, item in zip(live_elements, live, strict=True):
        live_by_element[element] = None if element in live_by_element else item  # duplicates: not merged
    config_by_element = dict(zip(config_elements, config, strict=True))
    shared = [e for e in config_elements if e in live_by_element]
    shared_at = 0
    next_shared = shared[0] if shared else None
    done: set[str] = set()
    element_type = shape.element
    out: list[Any] = []

    def take(element: str) -> None:
        try:
            out.append(merge(live_by_element[element], config_by_element[element], element_type)
                       if element in live_by_element else config_by_element[element])
        except TypedError as exc:
            raise exc.within(element) from None

    left = right = 0
    while left < len(live_elements) or right < len(config_elements):
        if left < len(live_elements) and right < len(config_elements):
            element = live_elements[left]
            if element == config_elements[right]:
                done.add(element)
                take(element)
                left += 1
                right += 1
                shared_at += 1
                next_shared = shared[shared_at] if shared_at < len(shared) else None
                continue
            if element in config_by_element and next_shared is not None and next_shared != element:
                left += 1  # a shared element that the configuration places later
                continue
        if left < len(live_elements):
            element = live_elements[left]
            if element not in config_by_element:
                out.append(live[left])
                left += 1
                continue
            if element in done:
                left += 1
        if right < len(config_elements):
            element = config_elements[right]
            done.add(element)
            take(element)
            right += 1
            if next_shared is not None and next_shared == element:
                shared_at += 1
                next_shared = shared[shared_at] if shared_at < len(shared) else None
    return out


def prune(merged: dict[str, Any], node: TypeNode, last: FieldSet, owned: FieldSet) -> dict[str, Any]:
    """``merged`` without what the applier owned before (``last``) and nobody owns now (``owned`` is the
    union of every manager's fields, the applier's new ones included)."""
    if node.map is None or last.empty:
        return merged
    pruned = _prune_map(merged, node.map, last, owned, reach=False, doomed=False)
    return merged if pruned is None else pruned


def _prune_map(value: dict[str, Any], shape: MapShape, last: FieldSet, owned: FieldSet, *, reach: bool,
               doomed: bool) -> dict[str, Any] | None:
    """The map with pruned fields removed, or None when nothing changed."""
    if shape.atomic:
        return None
    out: dict[str, Any] | None = None
    for key, child in value.items():
        element = "f:" + key
        below = last.children.get(element)
        in_last = element in last.members or (below is not None and shape.named(key))
        if not in_last and below is None:
            continue
        owned_here = element in owned.members or (shape.named(key) and element in owned.children)
        child_reach = reach or in_last
        child_doomed = doomed or (child_reach and not owned_here)
        if in_last and child_doomed:
            replacement: Any = _REMOVED
        elif below is not None:
            replacement = _prune_value(child, shape.field(key), below, owned.child(element),
                                       reach=child_reach, doomed=child_doomed)
        else:
            continue
        if replacement is not None:
            if out is None:
                out = dict(value)
            if replacement is _REMOVED:
                del out[key]
            else:
                out[key] = replacement
    return out


def _prune_list(value: list[Any], shape: ListShape, last: FieldSet, owned: FieldSet, *, reach: bool,
                doomed: bool) -> list[Any] | None:
    """The list with pruned elements removed, or None when nothing changed."""
    if shape.kind == "atomic":
        return None
    changed = False
    out: list[Any] = []
    element_type = shape.element
    for element, item in zip(item_elements(value, shape, allow_duplicates=True), value, strict=True):
        below = last.children.get(element)
        in_last = element in last.members
        kept = item
        if in_last or below is not None:
            child_reach = reach or in_last
            child_doomed = doomed or (child_reach and element not in owned.members)
            if in_last and child_doomed:
                changed = True
                continue
            if below is not None:
                replacement = _prune_value(item, element_type, below, owned.child(element),
                                           reach=child_reach, doomed=child_doomed)
                if replacement is not None:
                    changed = True
                    if replacement is _REMOVED:
                        continue
                    kept = replacement
        out.append(kept)
    return out if changed else None


def _prune_value(value: Any, node: TypeNode, last: FieldSet, owned: FieldSet, *, reach: bool,
                 doomed: bool) -> Any:
    """The pruned value, :data:`_REMOVED` when pruning emptied it, or None when nothing changed."""
    pruned: dict[str, Any] | list[Any] | None = None
    if type(value) is dict and node.map is not None:
        pruned = _prune_map(value, node.map, last, owned, reach=reach, doomed=doomed)
    elif type(value) is list and node.list is not None:
        pruned = _prune_list(value, node.list, last, owned, reach=reach, doomed=doomed)
    if pruned is not None and not pruned:
        return _REMOVED
    return pruned


_REMOVED: Any = object()
