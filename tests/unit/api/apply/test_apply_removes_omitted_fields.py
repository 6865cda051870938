"""Fields an applier set before and omits now are removed, unless someone else still owns them."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from gitplane.api import builtin_schemas
from gitplane.api.apply import manager
from gitplane.api.schema import Schema
from tests.unit.api.apply.apply_helpers import T1, T2, T3, Apply, configmap, fields_of, widget


def _configmap_applier() -> Apply:
    schema = Schema.named("io.k8s.api.core.v1.ConfigMap", builtin_schemas.builtin_definitions())

    def apply(live: dict[str, Any] | None, config: dict[str, Any], now: str = T1) -> dict[str, Any]:
        return manager.apply(live, config, manager="alice", force=False, schema=schema, api_version="v1",
                             now=now)
    return apply


def test_an_omitted_field_is_removed(apply_cm: Apply) -> None:
    """The applier stops setting ``b``: it disappears from the object and from the entry."""
    live = apply_cm(None, configmap({"a": "1", "b": "2"}))
    obj = apply_cm(live, configmap({"a": "1"}), now=T2)
    assert obj["data"] == {"a": "1"} and fields_of(obj, "alice") == {"f:data": {"f:a": {}}}


def test_a_field_another_applier_also_owns_stays(apply_cm: Apply) -> None:
    """Co-owned fields survive one owner dropping them; ownership passes to the remaining one."""
    live = apply_cm(None, configmap({"a": "1", "b": "2"}))
    live = apply_cm(live, configmap({"b": "2"}), manager_name="bob", now=T2)
    obj = apply_cm(live, configmap({"a": "1"}), now=T3)
    assert obj["data"] == {"a": "1", "b": "2"}
    assert fields_of(obj, "bob") == {"f:data": {"f:b": {}}}


def test_a_field_an_updater_owns_stays(apply_cm: Apply, update_cm: Apply) -> None:
    """An Update manager's ownership also keeps a field the applier drops."""
    live = apply_cm(None, configmap({"a": "1"}, labels={"x": "1"}))
    live = update_cm(live, {**live, "metadata": {**live["metadata"], "labels": {"x": "1", "y": "2"}}},
                     manager_name="kubectl-label")
    obj = apply_cm(live, configmap({"a": "1"}), now=T3)
    assert obj["metadata"]["labels"] == {"y": "2"}
    assert fields_of(obj, "kubectl-label", "Update") == {"f:metadata": {"f:labels": {"f:y": {}}}}


def test_fields_nobody_ever_owned_stay(apply_cm: Apply, update_cm: Apply) -> None:
    """Pruning only touches what the applier owned: fields written by no tracked manager remain."""
    live = apply_cm(None, configmap({"a": "1"}))
    live = {**live, "binaryData": {"x": "eA=="}}
    obj = apply_cm(live, configmap({"b": "2"}), now=T2)
    assert obj["data"] == {"b": "2"} and obj["binaryData"] == {"x": "eA=="}


def test_a_map_emptied_by_pruning_is_dropped(apply_cm: Apply) -> None:
    """When the last key of ``data`` goes, ``data`` goes with it."""
    live = apply_cm(None, configmap({"a": "1"}))
    obj = apply_cm(live, configmap(labels={"l": "1"}), now=T2)
    assert "data" not in obj and fields_of(obj, "alice") == {"f:metadata": {"f:labels": {"f:l": {}}}}


def test_a_dropped_list_element_is_removed_with_its_fields(apply_widget: Apply) -> None:
    """A map-list element the applier no longer lists goes, whole."""
    live = apply_widget(None, widget({"parts": [{"name": "a", "weight": 1}, {"name": "b", "weight": 2}]}))
    obj = apply_widget(live, widget({"parts": [{"name": "a", "weight": 1}]}), now=T2)
    assert obj["spec"]["parts"] == [{"name": "a", "weight": 1}]


def test_a_list_element_another_manager_created_stays(apply_widget: Apply, update_widget: Apply) -> None:
    """An element added by an updater is not the applier's to remove."""
    live = apply_widget(None, widget({"tags": ["x"]}))
    live = update_widget(live, {**live, "spec": {"tags": ["x", "y"]}}, manager_name="ctrl")
    obj = apply_widget(live, widget({"tags": ["z"]}), now=T3)
    assert obj["spec"]["tags"] == ["y", "z"]


def test_an_element_whose_field_another_manager_changed_still_goes(apply_widget: Apply,
                                                                   update_widget: Apply) -> None:
    """Owning a field inside an element does not keep the element: the applier owned the element itself."""
    live = apply_widget(None, widget({"parts": [{"name": "a", "weight": 1}, {"name": "b"}]}))
    edited = {**live, "spec": {"parts": [{"name": "a", "weight": 5}, {"name": "b"}]}}
    live = update_widget(live, edited, manager_name="ctrl")
    obj = apply_widget(live, widget({"parts": [{"name": "b"}]}), now=T3)
    assert obj["spec"]["parts"] == [{"name": "b"}]


def _data(min_size: int) -> st.SearchStrategy[dict[str, str]]:
    return st.dictionaries(st.sampled_from("abcdefgh"), st.sampled_from("123"), min_size=min_size, max_size=6)


@given(_data(0), _data(1))
def test_a_sole_applier_gets_exactly_what_it_applies(first: dict[str, str], second: dict[str, str]) -> None:
    """Whatever was applied before, a sole applier's object holds exactly its latest data, stably."""
    apply_cm = _configmap_applier()
    live = apply_cm(None, configmap(first))
    obj = apply_cm(live, configmap(second), now=T2)
    assert obj["data"] == second
    assert apply_cm(obj, configmap(second), now=T3) == obj
