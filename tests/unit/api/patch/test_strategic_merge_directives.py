"""Strategic merge patch directives: ``$patch`` on maps, ``$retainKeys``, ``$setElementOrder``,
``$deleteFromPrimitiveList``, and how malformed ones are refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gitplane.api import errors

Strategic = Callable[[str, dict[str, Any], object], dict[str, Any]]
POD = "io.k8s.api.core.v1.Pod"
DEPLOYMENT = "io.k8s.api.apps.v1.Deployment"

LIVE_POD: dict[str, Any] = {
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "web", "labels": {"app": "web", "tier": "front"}, "finalizers": ["a/x", "b/y"]},
    "spec": {
        "nodeSelector": {"disk": "ssd", "zone": "a"},
        "containers": [
            {"name": "app", "image": "app:1",
             "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]},
            {"name": "sidecar", "image": "proxy:1"},
        ],
        "volumes": [{"name": "data", "emptyDir": {}}, {"name": "cache", "emptyDir": {"medium": "Memory"}}],
    },
}


@pytest.mark.parametrize(("patch", "path", "expected"), [
    pytest.param({"spec": {"nodeSelector": {"$patch": "replace", "gpu": "yes"}}}, ("spec", "nodeSelector"),
                 {"gpu": "yes"}, id="replace-map"),
    pytest.param({"metadata": {"labels": {"$patch": "delete"}}}, ("metadata", "labels"), {}, id="delete-map"),
    pytest.param({"spec": {"nodeSelector": {"zone": None, "rack": "r1"}}}, ("spec", "nodeSelector"),
                 {"disk": "ssd", "rack": "r1"}, id="maps-merge-key-by-key"),
    pytest.param({"spec": {"nodeSelector": None}}, ("spec",),
                 {k: v for k, v in LIVE_POD["spec"].items() if k != "nodeSelector"}, id="null-deletes-map"),
    pytest.param({"spec": {"affinity": {"$patch": "replace", "nodeAffinity": None}}}, ("spec", "affinity"),
                 {}, id="replace-absent-map-without-nulls"),
])
def test_map_directives(strategic: Strategic, patch: dict[str, Any], path: tuple[str, ...],
                        expected: object) -> None:
    """``$patch: replace`` swaps a map for the patch's, ``$patch: delete`` empties it, null removes a key."""
    result: Any = strategic(POD, LIVE_POD, patch)
    for key in path:
        result = result[key]
    assert result == expected


def test_replace_at_the_top_replaces_the_object(strategic: Strategic) -> None:
    """``$patch: replace`` on the whole object keeps only what the patch has."""
    result = strategic(POD, LIVE_POD, {"$patch": "replace", "metadata": {"name": "web"}})
    assert result == {"metadata": {"name": "web"}}


def test_retain_keys_clears_unlisted_fields_of_a_volume(strategic: Strategic) -> None:
    """``$retainKeys`` on a volume (strategy ``merge,retainKeys``) swaps its source, as kubectl apply does."""
    patch = {"spec": {"$setElementOrder/volumes": [{"name": "data"}, {"name": "cache"}],
                      "volumes": [{"$retainKeys": ["configMap", "name"], "name": "data",
                                   "configMap": {"name": "settings"}}]}}
    result = strategic(POD, LIVE_POD, patch)
    assert result["spec"]["volumes"] == [{"name": "data", "configMap": {"name": "settings"}},
                                         {"name": "cache", "emptyDir": {"medium": "Memory"}}]


def test_retain_keys_switches_deployment_strategy(strategic: Strategic) -> None:
    """Changing a Deployment to ``Recreate`` drops the defaulted ``rollingUpdate`` (strategy retainKeys)."""
    rolling = {"maxSurge": "25%", "maxUnavailable": "25%"}
    live = {"spec": {"replicas": 2, "strategy": {"type": "RollingUpdate", "rollingUpdate": rolling}}}
    patch = {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}
    assert strategic(DEPLOYMENT, live, patch) == {"spec": {"replicas": 2, "strategy": {"type": "Recreate"}}}


def test_retain_keys_strategy_alone_still_merges(strategic: Strategic) -> None:
    """Without the directive a ``retainKeys`` field merges like any map (only clients act on the strategy)."""
    live = {"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}}
    patch = {"spec": {"strategy": {"rollingUpdate": {"maxUnavailable": 0}}}}
    assert strategic(DEPLOYMENT, live, patch)["spec"]["strategy"] == {
        "type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}


@pytest.mark.parametrize(("order", "patch_list", "expected"), [
    pytest.param([{"name": "sidecar"}, {"name": "app"}], None, ["sidecar", "app"], id="reorder-only"),
    pytest.param([{"name": "app"}, {"name": "log"}, {"name": "sidecar"}], [{"name": "log", "image": "l"}],
                 ["app", "log", "sidecar"], id="insert-new-element-in-place"),
    pytest.param([{"name": "app"}, {"name": "log"}], [{"name": "log", "image": "l"}],
                 ["app", "log", "sidecar"], id="server-only-elements-keep-live-neighbours"),
    pytest.param([{"name": "log"}], [{"name": "log", "image": "l"}], ["log", "app", "sidecar"],
                 id="new-element-without-live-neighbour-goes-first"),
    pytest.param([{"name": "sidecar"}, {"name": "missing"}, {"name": "app"}], None, ["sidecar", "app"],
                 id="unknown-names-are-ignored"),
    pytest.param([{"name": "sidecar"}], [{"name": "app", "$patch": "delete"}], ["sidecar"],
                 id="deletions-do-not-need-order-entries"),
])
def test_set_element_order_orders_merged_list(strategic: Strategic, order: list[Any],
                                              patch_list: list[Any] | None, expected: list[str]) -> None:
    """``$setElementOrder/<list>`` fixes the order of the named elements; others keep live neighbours."""
    spec: dict[str, Any] = {"$setElementOrder/containers": order}
    if patch_list is not None:
        spec["containers"] = patch_list
    result = strategic(POD, LIVE_POD, {"spec": spec})
    assert [c["name"] for c in result["spec"]["containers"]] == expected


def test_set_element_order_on_primitive_list(strategic: Strategic) -> None:
    """``$setElementOrder/finalizers`` orders a list of primitives, after additions and before deletions."""
    patch = {"metadata": {"$setElementOrder/finalizers": ["c/z", "b/y"], "finalizers": ["c/z"],
                          "$deleteFromPrimitiveList/finalizers": ["a/x"]}}
    assert strategic(POD, LIVE_POD, patch)["metadata"]["finalizers"] == ["c/z", "b/y"]


@pytest.mark.parametrize(("doomed", "expected"), [
    pytest.param(["a/x"], ["b/y"], id="delete-one"),
    pytest.param(["a/x", "b/y", "c/z"], [], id="delete-all-and-absent"),
])
def test_delete_from_primitive_list(strategic: Strategic, doomed: list[str], expected: list[str]) -> None:
    """``$deleteFromPrimitiveList/<list>`` removes values from a list of primitives."""
    patch = {"metadata": {"$deleteFromPrimitiveList/finalizers": doomed}}
    assert strategic(POD, LIVE_POD, patch)["metadata"]["finalizers"] == expected


def test_delete_from_absent_primitive_list_adds_nothing(strategic: Strategic) -> None:
    """Deleting from a list the object does not have leaves it absent."""
    live = {"metadata": {"name": "web"}}
    assert strategic(POD, live, {"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]}}) == live


def test_directives_in_added_values_are_carried_out(strategic: Strategic) -> None:
    """A subtree the live object lacks is merged into nothing: its directives and nulls do not get stored."""
    patch = {"spec": {"securityContext": {"$retainKeys": ["runAsUser"], "runAsUser": 1000, "fsGroup": None},
                      "ephemeralContainers": [{"name": "debug", "$setElementOrder/env": [{"name": "X"}],
                                               "env": [{"name": "X", "value": "1"}]}]}}
    result = strategic(POD, {"spec": {}}, patch)
    debug = {"name": "debug", "env": [{"name": "X", "value": "1"}]}
    assert result == {"spec": {"securityContext": {"runAsUser": 1000}, "ephemeralContainers": [debug]}}


@pytest.mark.parametrize(("patch", "message"), [
    pytest.param({"spec": {"nodeSelector": {"$patch": "merge"}}},
                 'spec.nodeSelector: unknown patch type: "merge" in map: {"$patch":"merge"}', id="map-merge"),
    pytest.param({"spec": {"$retainKeys": "containers"}}, "spec: invalid patch format of retainKeys",
                 id="retain-keys-not-a-list"),
    pytest.param({"spec": {"$retainKeys": ["containers"], "nodeName": "n1"}},
                 "spec: invalid patch format of retainKeys: 'nodeName' is patched but not retained",
                 id="patched-key-not-retained"),
    pytest.param({"spec": {"$setElementOrder": []}}, "spec: invalid patch format of setElementOrder list",
                 id="set-order-without-field"),
    pytest.param({"spec": {"$setElementOrderX/containers": []}},
                 "spec: invalid patch format of setElementOrder list", id="set-order-misspelt"),
    pytest.param({"spec": {"$setElementOrder/containers": {"name": "app"}}},
                 "spec: invalid patch format of setElementOrder list", id="set-order-not-a-list"),
    pytest.param({"spec": {"$setElementOrder/containers": ["app"]}},
                 "spec.containers: expected a map, but received a string", id="set-order-entries-not-maps"),
    pytest.param({"spec": {"$setElementOrder/containers": [{"image": "x"}]}},
                 'spec.containers: map: {"image":"x"} does not contain declared merge key: name',
                 id="set-order-entry-without-key"),
    pytest.param({"spec": {"$setElementOrder/containers": [{"name": "sidecar"}, {"name": "app"}],
                           "containers": [{"name": "app", "image": "a"}, {"name": "sidecar", "image": "s"}]}},
                 "spec.containers: the order in patch list", id="patch-order-contradicts-set-order"),
    pytest.param({"spec": {"$setElementOrder/containers": [{"name": "app"}], "containers": None}},
                 "spec.containers: expected a list, but received a null", id="set-order-with-null-list"),
    pytest.param({"metadata": {"$deleteFromPrimitiveList/finalizers": "a/x"}},
                 "metadata.finalizers: invalid patch format of primitive list", id="deletions-not-a-list"),
    pytest.param({"metadata": {"$deleteFromPrimitiveList": ["a/x"]}},
                 "metadata: invalid patch format of primitive list", id="deletions-without-field"),
    pytest.param({"spec": {"$deleteFromPrimitiveList/containers": ["app"]}},
                 "spec.containers: invalid patch format of primitive list", id="deletions-from-list-of-maps"),
    pytest.param(["not", "an", "object"],
                 "json: cannot unmarshal array into Go value of type map[string]interface {}",
                 id="array-body"),
])
def test_malformed_directives_are_bad_requests(strategic: Strategic, patch: object, message: str) -> None:
    """Malformed directives are 400 with kube's wording, prefixed by the field path where they sit."""
    with pytest.raises(errors.APIError) as caught:
        strategic(POD, LIVE_POD, patch)
    assert (caught.value.code, caught.value.reason) == (400, "BadRequest")
    assert caught.value.message.startswith(message)


def test_null_patch_changes_nothing(strategic: Strategic) -> None:
    """A ``null`` body decodes to an empty patch, as in kube."""
    assert strategic(POD, LIVE_POD, None) == LIVE_POD
