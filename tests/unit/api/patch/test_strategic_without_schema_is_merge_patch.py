"""Where the schema knows nothing, a strategic merge patch without directives is a JSON merge patch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from hypothesis import given
from hypothesis import strategies as st

from gitplane.api.patch import merge_patch
from gitplane.api.patch import strategic as strategic_patch

Strategic = Callable[[str, dict[str, Any], object], dict[str, Any]]

_keys = st.sampled_from(["a", "b", "c", ""])  # few names, so patch and object often meet
_scalars = st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False) | st.text(max_size=4)
# Arrays hold no nulls at any depth: there kube's two libraries differ (merge patch prunes, strategic keeps).
_array_items = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    _keys, inner, max_size=3), max_leaves=6)
_values = st.recursive(
    st.none() | _scalars | st.lists(_array_items, max_size=3),
    lambda inner: st.dictionaries(_keys, inner, max_size=3), max_leaves=10)
_objects = st.dictionaries(_keys, _values, max_size=4)


@given(_objects, _objects)
def test_strategic_without_schema_equals_merge_patch(live: dict[str, Any], patch: dict[str, Any]) -> None:
    """With no schema and no directives, strategic and merge patches agree, and neither mutates its inputs."""
    before = (orjson.dumps(live), orjson.dumps(patch))
    by_strategy = strategic_patch.apply_strategic_merge_patch(live, patch, None)
    by_merge = merge_patch.apply_merge_patch(live, patch)
    assert orjson.dumps(by_strategy, option=orjson.OPT_SORT_KEYS) == orjson.dumps(
        by_merge, option=orjson.OPT_SORT_KEYS)
    assert (orjson.dumps(live), orjson.dumps(patch)) == before


def test_fields_unknown_to_the_schema_merge_like_a_merge_patch(strategic: Strategic) -> None:
    """A field the type's schema lacks merges as in a merge patch: maps recurse, lists are replaced."""
    live = {"metadata": {"name": "web"}, "spec": {"extra": {"a": 1, "b": [1, 2]}, "containers": []}}
    patch = {"spec": {"extra": {"a": None, "b": [3], "c": {"d": None, "e": 1}}}}
    result = strategic("io.k8s.api.core.v1.Pod", live, patch)
    assert result["spec"]["extra"] == {"b": [3], "c": {"e": 1}}
