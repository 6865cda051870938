"""How apply merges and owns map-lists, sets, atomic lists and atomic maps."""

from __future__ import annotations

from typing import Any

import pytest

from gitplane.api.errors import APIError
from tests.unit.api.apply.apply_helpers import T2, Apply, fields_of, widget


def test_containers_are_owned_by_name(apply_deployment: Apply) -> None:
    """A Deployment's containers are keyed by name, their ports by containerPort and protocol."""
    config = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {
        "selector": {"matchLabels": {"app": "d"}},
        "template": {"metadata": {"labels": {"app": "d"}}, "spec": {"containers": [
            {"name": "web", "image": "nginx", "ports": [{"containerPort": 80, "protocol": "TCP"}]}]}}}}
    obj = apply_deployment(None, config)
    port: dict[str, Any] = {".": {}, "f:containerPort": {}, "f:protocol": {}}
    assert fields_of(obj, "alice") == {"f:spec": {
        "f:selector": {},
        "f:template": {"f:metadata": {"f:labels": {"f:app": {}}}, "f:spec": {"f:containers": {
            'k:{"name":"web"}': {".": {}, "f:image": {}, "f:name": {}, "f:ports": {
                'k:{"containerPort":80,"protocol":"TCP"}': port}},
        }}}}}


def test_a_missing_key_field_takes_its_schema_default(apply_widget: Apply) -> None:
    """Keys are filled from schema defaults (``protocol: TCP``), as kube names elements."""
    obj = apply_widget(None, widget({"ports": [{"port": 80}]}))
    assert fields_of(obj, "alice")["f:spec"]["f:ports"] == {'k:{"port":80,"protocol":"TCP"}': {
        ".": {}, "f:port": {}}}


def test_map_list_elements_merge_field_by_field(apply_widget: Apply) -> None:
    """Two appliers may own different fields of the same element."""
    live = apply_widget(None, widget({"parts": [{"name": "a", "weight": 1}]}))
    obj = apply_widget(live, widget({"parts": [{"name": "a", "options": {"o": "1"}}]}), manager_name="bob",
                       now=T2)
    assert obj["spec"]["parts"] == [{"name": "a", "weight": 1, "options": {"o": "1"}}]
    assert fields_of(obj, "bob")["f:spec"]["f:parts"] == {'k:{"name":"a"}': {
        ".": {}, "f:name": {}, "f:options": {"f:o": {}}}}


def test_new_elements_follow_the_configured_order(apply_widget: Apply) -> None:
    """Live elements keep their place; new ones come after the configured element they follow."""
    live = apply_widget(None, widget({"tags": ["a", "b", "c", "g", "f"]}))
    obj = apply_widget(live, widget({"tags": ["c", "d", "e", "f"]}), manager_name="bob", now=T2)
    assert obj["spec"]["tags"] == ["a", "b", "c", "g", "d", "e", "f"]


@pytest.mark.parametrize(("live", "config", "merged"), [
    pytest.param(["a", "b"], ["b", "a"], ["b", "a"], id="reordered"),
    pytest.param(["a", "b", "c", "d"], ["d", "e", "f", "a"], ["b", "c", "d", "e", "f", "a"], id="moved"),
    pytest.param(["a", "b", "c"], [], ["a", "b", "c"], id="empty-config"),
    pytest.param(list("abcdefghij"), list("1b2h3e4kl"), list("a1bcdfg2hij3e4kl"), id="interleaved"),
    pytest.param(["a", "b", "b"], ["b"], ["a", "b"], id="duplicate-in-live"),
])
def test_sets_merge_in_structured_merge_diff_order(apply_widget: Apply, live: list[str], config: list[str],
                                                   merged: list[str]) -> None:
    """Set merging matches structured-merge-diff's ordering of shared and new elements."""
    stored = {**widget({"tags": live})}
    obj = apply_widget(stored, widget({"tags": config}), manager_name="bob", force=True)
    assert obj["spec"]["tags"] == merged


def test_finalizers_are_a_set(apply_cm: Apply) -> None:
    """``metadata.finalizers`` elements are owned one by one, by value."""
    live = apply_cm(None, {"apiVersion": "v1", "kind": "ConfigMap",
                           "metadata": {"name": "c", "finalizers": ["example.com/a"]}})
    assert fields_of(live, "alice") == {"f:metadata": {"f:finalizers": {'v:"example.com/a"': {}}}}


def test_atomic_lists_are_replaced_and_owned_whole(apply_widget: Apply) -> None:
    """An atomic list is one field: the configured value replaces the live one."""
    live = apply_widget(None, widget({"args": ["a", "b"]}))
    obj = apply_widget(live, widget({"args": ["c"]}), now=T2)
    assert obj["spec"]["args"] == ["c"] and fields_of(obj, "alice") == {"f:spec": {"f:args": {}}}


def test_changing_an_atomic_list_someone_else_owns_conflicts(apply_widget: Apply) -> None:
    """Any change of an atomic list conflicts with its owner, whichever element changed."""
    live = apply_widget(None, widget({"args": ["a", "b"]}))
    with pytest.raises(APIError) as caught:
        apply_widget(live, widget({"args": ["a", "b", "c"]}), manager_name="bob")
    assert caught.value.message == 'Apply failed with 1 conflict: conflict with "alice": .spec.args'


def test_atomic_maps_are_replaced_and_owned_whole(apply_widget: Apply) -> None:
    """An atomic map is one field too (``x-kubernetes-map-type: atomic``)."""
    live = apply_widget(None, widget({"selector": {"a": "1", "b": "2"}}))
    obj = apply_widget(live, widget({"selector": {"c": "3"}}), now=T2)
    assert obj["spec"]["selector"] == {"c": "3"} and fields_of(obj, "alice") == {"f:spec": {"f:selector": {}}}


def test_null_in_the_configuration_leaves_a_granular_map_alone(apply_widget: Apply) -> None:
    """``spec: null`` keeps the live spec in the merged object (structured-merge-diff's merge rule)."""
    live = apply_widget(None, widget({"color": "red"}), manager_name="bob")
    obj = apply_widget(live, widget(None) | {"spec": None}, now=T2)
    assert obj["spec"] == {"color": "red"} and fields_of(obj, "alice") == {"f:spec": {}}


@pytest.mark.parametrize(("spec", "message"), [
    pytest.param({"parts": [{"weight": 1}]},
                 '.spec.parts: element 0: associative list with keys has an element that omits all key '
                 'fields ["name"] (and doesn\'t have default values for any key fields)', id="missing-key"),
    pytest.param({"parts": [{"name": "a"}, {"name": "a"}]},
                 '.spec.parts: duplicate entries for key [name="a"]', id="duplicate-key"),
    pytest.param({"tags": ["x", "x"]}, '.spec.tags: duplicate entries for key [="x"]', id="duplicate-value"),
    pytest.param({"tags": [{"x": 1}]}, ".spec.tags: element 0: associative list without keys has an element "
                 "that's a map type", id="map-in-set"),
])
def test_configurations_whose_lists_cannot_be_keyed_are_rejected(apply_widget: Apply, spec: dict[str, Any],
                                                                 message: str) -> None:
    """Unkeyable or repeated elements are a 400 naming the object and the list."""
    with pytest.raises(APIError) as caught:
        apply_widget(None, widget(spec))
    assert caught.value.code == 400
    assert caught.value.message == (
        f"failed to create typed patch object (default/w; example.com/v1, Kind=Widget): {message}")
