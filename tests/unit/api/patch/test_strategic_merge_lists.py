"""Strategic merge patch merges lists by their schema's patch strategy and merge key, in kube's order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gitplane.api import errors

Strategic = Callable[[str, dict[str, Any], object], dict[str, Any]]
POD = "io.k8s.api.core.v1.Pod"


def _pod(**spec: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"}, "spec": spec}


APP = {"name": "app", "image": "app:1", "ports": [{"containerPort": 8080, "protocol": "TCP"}]}
SIDECAR = {"name": "sidecar", "image": "proxy:1"}


@pytest.mark.parametrize(("live", "patch", "expected"), [
    pytest.param([APP, SIDECAR], [{"name": "app", "image": "app:2"}],
                 [{**APP, "image": "app:2"}, SIDECAR], id="merge-element-by-key"),
    pytest.param([APP, SIDECAR], [{"name": "sidecar", "args": ["-v"], "image": None}],
                 [APP, {"name": "sidecar", "args": ["-v"]}], id="null-deletes-inside-element"),
    pytest.param([APP], [{"name": "log", "image": "busybox"}],
                 [{"name": "log", "image": "busybox"}, APP], id="new-element-goes-in-front"),
    pytest.param([APP, SIDECAR], [{"name": "app"}, {"name": "log", "image": "busybox"}],
                 [APP, {"name": "log", "image": "busybox"}, SIDECAR],
                 id="new-element-follows-its-patch-neighbour"),
    pytest.param([APP, SIDECAR], [{"name": "sidecar", "$patch": "delete"}], [APP], id="delete-element"),
    pytest.param([APP, SIDECAR], [{"name": "missing", "$patch": "delete"}], [APP, SIDECAR],
                 id="delete-absent-element"),
    pytest.param([APP, SIDECAR, {"name": "app", "image": "dup"}], [{"name": "app", "$patch": "delete"}],
                 [SIDECAR], id="delete-removes-every-duplicate"),
    pytest.param([APP, SIDECAR], [{"$patch": "replace"}, {"name": "only", "image": "x"}],
                 [{"name": "only", "image": "x"}], id="replace-whole-list"),
    pytest.param([APP, SIDECAR], [{"$patch": "replace"}], [], id="replace-with-nothing"),
    pytest.param([APP, SIDECAR], [{"name": "sidecar", "image": "proxy:2"}, {"name": "app"}],
                 [{**SIDECAR, "image": "proxy:2"}, APP], id="patch-order-wins-over-live-order"),
    pytest.param([], [{"name": "app", "image": "a"}], [{"name": "app", "image": "a"}], id="merge-into-empty"),
    pytest.param([APP], [], [APP], id="empty-patch-list-changes-nothing"),
])
def test_containers_merge_by_name(strategic: Strategic, live: list[Any], patch: list[Any],
                                  expected: list[Any]) -> None:
    """``containers`` (strategy merge, key ``name``) merges element by element, honouring ``$patch``."""
    result = strategic(POD, _pod(containers=live), {"spec": {"containers": patch}})
    assert result["spec"]["containers"] == expected


def test_new_list_is_built_from_the_patch(strategic: Strategic) -> None:
    """A merging list absent from the live object is created from the patch, its directives carried out."""
    patch = {"spec": {"initContainers": [{"name": "init", "image": "i", "command": None},
                                         {"name": "gone", "$patch": "delete"}]}}
    result = strategic(POD, _pod(containers=[APP]), patch)
    assert result["spec"]["initContainers"] == [{"name": "init", "image": "i"}]


def test_ports_merge_by_container_port_only(strategic: Strategic) -> None:
    """``ports`` merge on ``containerPort`` alone: a UDP port of the same number rewrites the TCP one.

    This is kube's known behaviour (kubernetes/kubernetes#108255), kept for identical results.
    """
    live = _pod(containers=[{"name": "dns", "ports": [{"containerPort": 53, "protocol": "TCP"}]}])
    patch = {"spec": {"containers": [{"name": "dns", "ports": [{"containerPort": 53, "protocol": "UDP"}]}]}}
    result = strategic(POD, live, patch)
    assert result["spec"]["containers"][0]["ports"] == [{"containerPort": 53, "protocol": "UDP"}]


def test_merge_key_values_compare_by_type(strategic: Strategic) -> None:
    """A merge key of another JSON type (``"80"`` against ``80``) names a different element."""
    live = _pod(containers=[{"name": "app", "ports": [{"containerPort": 80}]}])
    patch = {"spec": {"containers": [{"name": "app", "ports": [{"containerPort": "80", "name": "http"}]}]}}
    result = strategic(POD, live, patch)
    assert result["spec"]["containers"][0]["ports"] == [{"containerPort": "80", "name": "http"},
                                                        {"containerPort": 80}]


@pytest.mark.parametrize(("live", "patch", "expected"), [
    pytest.param(["a", "b"], ["b", "c"], ["a", "b", "c"], id="union-new-value-after-its-patch-neighbour"),
    pytest.param(["a", "b"], ["c"], ["c", "a", "b"], id="lone-new-value-in-front"),
    pytest.param(["a", "b", "a"], ["b"], ["a", "b"], id="duplicates-removed"),
    pytest.param(["1", "2", "3"], ["3", "1", "2"], ["3", "1", "2"], id="patch-order-kept"),
    pytest.param(["1", "2", "3"], ["3", "1"], ["2", "3", "1"], id="partial-patch-order"),
    pytest.param([], ["x"], ["x"], id="into-empty"),
])
def test_finalizers_merge_as_a_set(strategic: Strategic, live: list[str], patch: list[str],
                                   expected: list[str]) -> None:
    """``finalizers`` (strategy merge, no key) is a set: union without repeats, patch order first."""
    obj = {"metadata": {"name": "web", "finalizers": live}}
    result = strategic(POD, obj, {"metadata": {"finalizers": patch}})
    assert result["metadata"]["finalizers"] == expected


def test_owner_references_merge_by_uid(strategic: Strategic) -> None:
    """``ownerReferences`` merge on ``uid``, so a second owner of the same kind is added, not swapped."""
    owner = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1", "uid": "u1"}
    other = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-2", "uid": "u2"}
    obj = {"metadata": {"name": "web", "ownerReferences": [owner]}}
    patch = {"metadata": {"ownerReferences": [{"uid": "u1", "controller": True}, other]}}
    result = strategic(POD, obj, patch)
    assert result["metadata"]["ownerReferences"] == [{**owner, "controller": True}, other]


@pytest.mark.parametrize(("field", "patch_value"), [
    pytest.param("tolerations", [{"key": "gpu", "operator": "Exists"}], id="tolerations-atomic"),
    pytest.param("hostAliases", [{"ip": "10.0.0.1", "hostnames": ["db"]}], id="host-aliases-merge-on-ip"),
])
def test_lists_replace_or_merge_by_declared_strategy(strategic: Strategic, field: str,
                                                     patch_value: list[Any]) -> None:
    """Lists without ``x-kubernetes-patch-strategy: merge`` are replaced whole; lists with it merge."""
    live_value = [{"key": "node", "operator": "Exists"}] if field == "tolerations" else [
        {"ip": "10.0.0.2", "hostnames": ["cache"]}]
    result = strategic(POD, _pod(**{field: live_value}), {"spec": {field: patch_value}})
    expected = patch_value if field == "tolerations" else patch_value + live_value
    assert result["spec"][field] == expected


def test_atomic_list_drops_nulls_inside_its_elements(strategic: Strategic) -> None:
    """An atomic list is stored without null members, as kube stores it after decoding into the Go type."""
    result = strategic(POD, _pod(), {"spec": {"tolerations": [{"key": "gpu", "value": None}]}})
    assert result["spec"]["tolerations"] == [{"key": "gpu"}]


@pytest.mark.parametrize(("patch", "code", "fragment"), [
    pytest.param([{"image": "x"}], 400, "does not contain declared merge key: name", id="missing-merge-key"),
    pytest.param([{"name": "app", "$patch": "merge"}], 400,
                 "merging lists cannot yet be specified in the patch", id="patch-merge-element"),
    pytest.param([{"name": "app", "$patch": "upsert"}], 400, 'unknown patch type: "upsert"',
                 id="unknown-element-directive"),
    pytest.param([{"$patch": "delete", "image": "x"}], 400, "does not contain declared merge key: name",
                 id="delete-without-merge-key"),
    pytest.param([{"name": "app"}, "sidecar"], 400, "list element types are not identical",
                 id="mixed-elements"),
    pytest.param([None], 400, "null is not a valid element", id="null-element"),
    pytest.param([["app"]], 422, "the server rejected our request", id="list-of-lists"),
])
def test_bad_merge_list_elements_are_rejected(strategic: Strategic, patch: list[Any], code: int,
                                              fragment: str) -> None:
    """Elements a merging list cannot take are refused with kube's code and a message naming the field."""
    with pytest.raises(errors.APIError) as caught:
        strategic(POD, _pod(containers=[APP]), {"spec": {"containers": patch}})
    assert caught.value.code == code
    assert fragment in caught.value.message
    if code == 400:
        assert caught.value.message.startswith("spec.containers")


def test_untouched_subtrees_are_shared(strategic: Strategic) -> None:
    """Only the patched path is rebuilt; every other subtree of the result is the live one."""
    live = _pod(containers=[APP, SIDECAR], volumes=[{"name": "data", "emptyDir": {}}])
    result = strategic(POD, live, {"spec": {"containers": [{"name": "sidecar", "image": "proxy:2"}]}})
    assert result["metadata"] is live["metadata"]
    assert result["spec"]["volumes"] is live["spec"]["volumes"]
    assert result["spec"]["containers"][0] is APP
