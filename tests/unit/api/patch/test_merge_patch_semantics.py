"""JSON merge patch (RFC 7386) as kube applies it, and the patch that ``create_merge_patch`` computes."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitplane.api import errors
from gitplane.api.patch import merge_patch


@pytest.mark.parametrize(("target", "patch", "expected"), [
    pytest.param({"a": "b"}, {"a": "c"}, {"a": "c"}, id="replace-member"),
    pytest.param({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}, id="add-member"),
    pytest.param({"a": "b"}, {"a": None}, {}, id="null-deletes"),
    pytest.param({"a": "b"}, {"x": None}, {"a": "b"}, id="null-for-absent-member-is-ignored"),
    pytest.param({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}, id="delete-one-of-two"),
    pytest.param({"a": ["b"]}, {"a": "c"}, {"a": "c"}, id="scalar-replaces-list"),
    pytest.param({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}, id="list-replaces-scalar"),
    pytest.param({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}, id="objects-merge"),
    pytest.param({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}, id="lists-are-replaced-whole"),
    pytest.param({"a": {"b": 1}}, {"a": {"b": {"c": None}}}, {"a": {"b": {}}},
                 id="nulls-pruned-from-new-object"),
    pytest.param({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}, id="nested-nulls-pruned-when-added"),
    pytest.param({"a": 1}, {"a": [None, {"x": None, "y": 1}]}, {"a": [{"y": 1}]},
                 id="null-elements-and-members-pruned-from-new-list"),
    pytest.param({"a": {"x": 1}}, {"a": [None]}, {"a": [None]}, id="list-replacing-object-is-taken-as-is"),
    pytest.param({"a": None}, {"a": {"b": None, "c": 1}}, {"a": {"c": 1}}, id="merge-into-null-member"),
    pytest.param({"e": None}, {"a": 1}, {"e": None, "a": 1}, id="existing-nulls-are-kept"),
    pytest.param({"metadata": {"labels": {"app": "web", "tier": "front"}}},
                 {"metadata": {"labels": {"tier": None, "env": "prod"}}},
                 {"metadata": {"labels": {"app": "web", "env": "prod"}}}, id="kubectl-label"),
])
def test_merge_patch_merges_objects_and_replaces_the_rest(target: dict[str, Any], patch: object,
                                                          expected: dict[str, Any]) -> None:
    """Objects merge member by member, null deletes, everything else replaces (RFC 7386, kube's nulls)."""
    target_before = orjson.dumps(target)
    patch_before = orjson.dumps(patch)
    assert merge_patch.apply_merge_patch(target, patch) == expected
    assert (orjson.dumps(target), orjson.dumps(patch)) == (target_before, patch_before)


@pytest.mark.parametrize("patch", [None, 5, "x", True])
def test_null_or_scalar_patch_is_bad_request(patch: object) -> None:
    """A patch that is not an object or array is 400 "Invalid JSON Patch", as kube answers."""
    with pytest.raises(errors.APIError) as caught:
        merge_patch.apply_merge_patch({"a": 1}, patch)
    assert (caught.value.code, caught.value.message) == (400, "Invalid JSON Patch")


def test_array_patch_is_invalid() -> None:
    """An array patch replaces the whole object with an array, which is not an object: 422."""
    with pytest.raises(errors.APIError) as caught:
        merge_patch.apply_merge_patch({"a": 1}, [1, None])
    assert caught.value.code == 422
    assert caught.value.reason == "Invalid"


def test_untouched_subtrees_are_shared_not_copied() -> None:
    """The result reuses live subtrees the patch does not touch (no deep copies on the hot path)."""
    live = {"spec": {"big": list(range(100))}, "metadata": {"labels": {"a": "b"}}}
    result = merge_patch.apply_merge_patch(live, {"metadata": {"labels": {"c": "d"}}})
    assert result["spec"] is live["spec"]
    assert result["metadata"] is not live["metadata"]


@pytest.mark.parametrize(("original", "modified", "expected"), [
    pytest.param({"a": 1, "b": 2}, {"a": 1, "b": 3}, {"b": 3}, id="changed"),
    pytest.param({"a": 1}, {"a": 1, "c": [1]}, {"c": [1]}, id="added"),
    pytest.param({"a": 1, "b": 2}, {"a": 1}, {"b": None}, id="removed"),
    pytest.param({"a": {"x": 1, "y": 2}}, {"a": {"x": 1}}, {"a": {"y": None}}, id="nested"),
    pytest.param({"a": [1, 2]}, {"a": [1, 2]}, {}, id="equal-lists"),
    pytest.param({"a": [1, 2]}, {"a": [2, 1]}, {"a": [2, 1]}, id="reordered-list"),
    pytest.param({"a": 1}, {"a": 1.0}, {}, id="numbers-by-value"),
    pytest.param({"a": 1}, {"a": True}, {"a": True}, id="bool-is-not-number"),
    pytest.param({"a": {"x": 1}}, {"a": "x"}, {"a": "x"}, id="type-change"),
])
def test_create_merge_patch_sends_differences(original: dict[str, Any], modified: dict[str, Any],
                                              expected: dict[str, Any]) -> None:
    """The created patch holds exactly the changed, added and (as null) removed members."""
    assert merge_patch.create_merge_patch(original, modified) == expected


_INT64 = st.integers(-(2**53), 2**53)
_keys = st.sampled_from(["a", "b", "c", ""])  # few names, so the two documents often meet
_scalars = st.booleans() | _INT64 | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=4)


def _containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=3)


_values_without_null = st.recursive(_scalars, _containers, max_leaves=8)
_values = st.recursive(st.none() | _scalars, _containers, max_leaves=8)


def _canonical(value: object) -> bytes:
    """JSON text where numbers compare by value and booleans stay booleans (1 == 1.0, true != 1)."""
    def normalise(v: object) -> object:
        if isinstance(v, bool) or v is None or isinstance(v, str):
            return v
        if isinstance(v, int | float):
            return float(v)
        if isinstance(v, list):
            return [normalise(x) for x in v]
        assert isinstance(v, dict)
        return {k: normalise(x) for k, x in v.items()}
    return orjson.dumps(normalise(value), option=orjson.OPT_SORT_KEYS)


@given(st.dictionaries(_keys, _values, max_size=4), st.dictionaries(_keys, _values_without_null, max_size=4))
def test_created_patch_turns_original_into_modified(original: dict[str, Any],
                                                     modified: dict[str, Any]) -> None:
    """apply(original, create_merge_patch(original, modified)) == modified, for documents without nulls."""
    patch = merge_patch.create_merge_patch(original, modified)
    assert _canonical(merge_patch.apply_merge_patch(original, patch)) == _canonical(modified)
