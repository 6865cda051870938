"""JSON merge patch (RFC 7386, ``application/merge-patch+json``), in the flavour kube-apiserver applies.

Why: kubectl sends merge patches for custom resources (``apply``, ``edit``, ``patch --type merge``) and for
``label``/``annotate``; controllers use them for status. The result must match kube's patch library
(evanphx/json-patch v4, ``MergePatch``), including its handling of nulls.

How data flows: the patch object is walked against the live object. A ``null`` member deletes; an object
member merges into an object member recursively; anything else replaces, with nulls pruned from the new value
(object members and array elements, at every depth), except that a non-object replacing an object is taken as
is (kube's quirk, kept for identical results). A patch that is ``null`` or a scalar is 400 "Invalid JSON
Patch"; an array patch yields an array, which is not an object, so 422.

Nothing is mutated: the result is a new dict along the patched paths and shares untouched subtrees with the
live object (and unchanged leaves with the patch). :func:`create_merge_patch` is the inverse, as kube's
``CreateMergePatch``: applied to ``original``, its result yields ``modified`` (if ``modified`` has no nulls).
"""

from __future__ import annotations

from typing import Any

from gitplane.api import errors
from gitplane.api.patch import rejections


def apply_merge_patch(obj: dict[str, Any], patch: object) -> dict[str, Any]:
    """Apply a decoded JSON merge patch to ``obj``.

    Args:
        obj: the live object; not modified.
        patch: the decoded request body; not modified.

    Returns:
        The patched object, sharing untouched subtrees with ``obj``.

    Raises:
        APIError: 400 "Invalid JSON Patch" for a ``null`` or scalar patch, 422 Invalid for an array patch.
    """
    if isinstance(patch, dict):
        return merge_objects(obj, patch)
    if isinstance(patch, list):
        raise rejections.result_not_object(prune_nulls(patch))
    raise errors.bad_request("Invalid JSON Patch")


def merge_objects(target: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Merge the object ``patch`` into the object ``target``, returning a new dict."""
    result = dict(target)
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
            continue
        current = result.get(key)
        if isinstance(current, dict):
            result[key] = merge_objects(current, value) if isinstance(value, dict) else value
        else:
            result[key] = prune_nulls(value)
    return result


def prune_nulls(value: object) -> object:
    """``value`` without null object members and null array elements, at every depth."""
    if isinstance(value, dict):
        return {k: prune_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [prune_nulls(v) for v in value if v is not None]
    return value


def create_merge_patch(original: dict[str, Any], modified: dict[str, Any]) -> dict[str, Any]:
    """The merge patch turning ``original`` into ``modified``: changed and new members, removed ones null.

    Objects are diffed recursively; arrays and scalars that differ are sent whole. Numbers compare by value
    (``1`` equals ``1.0``), booleans never equal numbers. The result shares values with ``modified``.
    """
    patch: dict[str, Any] = {}
    for key, new in modified.items():
        if key not in original:
            patch[key] = new
            continue
        old = original[key]
        if isinstance(old, dict) and isinstance(new, dict):
            nested = create_merge_patch(old, new)
            if nested:
                patch[key] = nested
        elif not json_equal(old, new):
            patch[key] = new
    for key in original:
        if key not in modified:
            patch[key] = None
    return patch


def json_equal(a: object, b: object) -> bool:
    """Equality of decoded JSON values: numbers by value, but a boolean is never a number."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, dict):
        if not isinstance(b, dict) or len(a) != len(b):
            return False
        return all(k in b and json_equal(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        if not isinstance(b, list) or len(a) != len(b):
            return False
        return all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, int | float):
        return isinstance(b, int | float) and a == b
    return type(a) is type(b) and a == b
