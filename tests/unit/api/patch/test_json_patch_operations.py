"""JSON patch (RFC 6902) applies operations as kube-apiserver does and answers its status codes."""

from __future__ import annotations

import contextlib
import copy
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitplane.api import errors
from gitplane.api.patch import json_patch, rejections

META = {"name": "web", "resourceVersion": "7"}
POD: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web", "resourceVersion": "7", "labels": {"app": "web"}},
    "spec": {"containers": [{"name": "app", "image": "nginx:1"}]},
}


@pytest.mark.parametrize(("patch", "expected_changes"), [
    pytest.param([{"op": "add", "path": "/metadata/labels/tier", "value": "front"}],
                 {"metadata": {**META, "labels": {"app": "web", "tier": "front"}}}, id="add-member"),
    pytest.param([{"op": "remove", "path": "/metadata/labels/app"}],
                 {"metadata": {**META, "labels": {}}}, id="remove-member"),
    pytest.param([{"op": "replace", "path": "/spec/containers/0/image", "value": "nginx:2"}],
                 {"spec": {"containers": [{"name": "app", "image": "nginx:2"}]}}, id="replace-in-list"),
    pytest.param([{"op": "add", "path": "/spec/containers/-", "value": {"name": "log", "image": "busybox"}}],
                 {"spec": {"containers": [{"name": "app", "image": "nginx:1"},
                                          {"name": "log", "image": "busybox"}]}}, id="append-to-list"),
    pytest.param([{"op": "move", "from": "/metadata/labels/app", "path": "/metadata/labels/name"}],
                 {"metadata": {**META, "labels": {"name": "web"}}}, id="move"),
    pytest.param([{"op": "copy", "from": "/metadata/name", "path": "/metadata/labels/name"}],
                 {"metadata": {**META, "labels": {"app": "web", "name": "web"}}}, id="copy"),
    pytest.param([{"op": "test", "path": "/metadata/resourceVersion", "value": "7"},
                  {"op": "replace", "path": "/metadata/labels", "value": {"v": "2"}}],
                 {"metadata": {**META, "labels": {"v": "2"}}}, id="test-then-replace"),
    pytest.param([{"op": "test", "path": "/metadata/annotations", "value": None},
                  {"op": "add", "path": "/metadata/annotations", "value": {"a": "b"}}],
                 {"metadata": {**META, "labels": {"app": "web"}, "annotations": {"a": "b"}}},
                 id="test-null-passes-for-absent-member"),
    pytest.param([{"op": "test", "path": "/metadata/annotations"}], {},
                 id="test-without-value-of-absent-member"),
    pytest.param(None, {}, id="null-body-is-empty-patch"),
    pytest.param([], {}, id="empty-patch"),
])
def test_operations_apply_in_order(patch: object, expected_changes: dict[str, Any]) -> None:
    """Each supported operation changes the object as RFC 6902 says."""
    assert json_patch.apply_json_patch(POD, patch) == {**POD, **expected_changes}


@pytest.mark.parametrize(("patch", "message"), [
    pytest.param({"op": "add"}, "json: cannot unmarshal object into Go value of type jsonpatch.Patch",
                 id="object-body"),
    pytest.param("add", "json: cannot unmarshal string into Go value of type jsonpatch.Patch",
                 id="string-body"),
    pytest.param([1], "json: cannot unmarshal number into Go value of type jsonpatch.Operation",
                 id="number-operation"),
])
def test_undecodable_patch_is_bad_request(patch: object, message: str) -> None:
    """A body that is not a list of operation objects is 400 with Go's decoding message."""
    with pytest.raises(errors.APIError) as caught:
        json_patch.apply_json_patch(POD, patch)
    assert (caught.value.code, caught.value.reason, caught.value.message) == (400, "BadRequest", message)


@pytest.mark.parametrize("patch", [
    pytest.param([{"op": "test", "path": "/metadata/resourceVersion", "value": "6"}], id="failed-test"),
    pytest.param([{"op": "remove", "path": "/metadata/annotations"}], id="remove-missing"),
    pytest.param([{"op": "replace", "path": "/spec/nodeName", "value": "n1"}], id="replace-missing"),
    pytest.param([{"op": "add", "path": "/status/phase", "value": "Running"}], id="add-under-missing-parent"),
    pytest.param([{"op": "add", "path": "/spec/containers/5", "value": {}}], id="index-out-of-range"),
    pytest.param([{"op": "add", "path": "spec", "value": {}}], id="pointer-without-slash"),
    pytest.param([{"op": "frobnicate", "path": "/spec"}], id="unknown-op"),
    pytest.param([{"path": "/spec"}], id="missing-op"),
    pytest.param([None], id="null-operation"),
    pytest.param([{"op": "add", "path": "/metadata/labels/x"}], id="missing-value"),
    pytest.param([{"op": "test", "path": "/metadata/labels/app", "value": None}],
                 id="test-null-of-present-member"),
])
def test_inapplicable_operation_is_generic_invalid(patch: object) -> None:
    """An operation that cannot be applied is kube's generic 422 with no causes."""
    with pytest.raises(errors.APIError) as caught:
        json_patch.apply_json_patch(POD, patch)
    assert caught.value.status() == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": rejections.NOT_APPLICABLE_MESSAGE, "reason": "Invalid", "code": 422,
    }


def test_failed_test_leaves_nothing_applied() -> None:
    """Operations before a failed ``test`` do not leak into the caller's object."""
    before = copy.deepcopy(POD)
    with pytest.raises(errors.APIError):
        json_patch.apply_json_patch(POD, [{"op": "add", "path": "/metadata/labels/x", "value": "1"},
                                          {"op": "test", "path": "/metadata/name", "value": "db"}])
    assert before == POD


def test_replacing_the_root_with_a_scalar_is_invalid() -> None:
    """A result that is not an object cannot be decoded into one: 422 Invalid on field ``patch``."""
    with pytest.raises(errors.APIError) as caught:
        json_patch.apply_json_patch(POD, [{"op": "replace", "path": "", "value": 5}])
    assert caught.value.code == 422
    assert caught.value.message.startswith(' "" is invalid: patch: Invalid value: "5"')


def test_too_many_operations_is_request_entity_too_large() -> None:
    """More than 10000 operations is 413, worded as kube words it."""
    patch = [{"op": "test", "path": "/kind", "value": "Pod"}] * (json_patch.MAX_OPERATIONS + 1)
    with pytest.raises(errors.APIError) as caught:
        json_patch.apply_json_patch(POD, patch)
    assert caught.value.code == 413
    assert caught.value.message == (
        "Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001")


def test_result_shares_nothing_with_the_patch() -> None:
    """A value added by the patch is a copy: changing the result later cannot change the patch."""
    value = {"x": "1"}
    patch = [{"op": "add", "path": "/metadata/annotations", "value": value}]
    result = json_patch.apply_json_patch(POD, patch)
    result["metadata"]["annotations"]["y"] = "2"
    assert value == {"x": "1"}


_pointers = st.sampled_from(["", "/metadata", "/metadata/labels", "/metadata/labels/app",
                             "/metadata/labels/new", "/spec/containers", "/spec/containers/0",
                             "/spec/containers/-", "/spec/containers/0/image", "/spec/missing/deeper",
                             "/kind"])
_values = st.recursive(st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=5),
                       lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                                  max_size=3),
                       max_leaves=6)
_operations = st.lists(st.builds(
    lambda op, path, source, value: {"op": op, "path": path, "from": source, "value": value},
    st.sampled_from(["add", "remove", "replace", "move", "copy", "test"]), _pointers, _pointers, _values),
    max_size=5)


@given(_operations)
def test_json_patch_never_mutates_its_inputs(patch: list[dict[str, Any]]) -> None:
    """Whatever the operations and whether they apply or not, the object and the patch stay as they were."""
    object_before = orjson.dumps(POD)
    patch_before = orjson.dumps(patch)
    with contextlib.suppress(errors.APIError):
        json_patch.apply_json_patch(POD, patch)
    assert orjson.dumps(POD) == object_before
    assert orjson.dumps(patch) == patch_before
