"""Non-apply writes (create, update, patch) record who changed what, as Update entries."""

from __future__ import annotations

from typing import Any

import pytest

from gitplane.api.apply import manager
from gitplane.api.schema import Schema
from tests.unit.api.apply.apply_helpers import T1, T2, T3, Apply, configmap, fields_of, managers, widget


def with_labels(obj: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    return {**obj, "metadata": {**obj["metadata"], "labels": labels}}


def test_a_create_owns_every_field_it_sets(update_cm: Apply) -> None:
    """``kubectl create`` gets an Update entry; maps it created are members too (``".": {}``)."""
    obj = update_cm(None, configmap({"k": "v"}, labels={"app": "web"}), manager_name="kubectl-create", now=T1)
    assert obj["metadata"]["managedFields"] == [{
        "manager": "kubectl-create", "operation": "Update", "apiVersion": "v1", "time": T1,
        "fieldsType": "FieldsV1",
        "fieldsV1": {"f:data": {".": {}, "f:k": {}}, "f:metadata": {"f:labels": {".": {}, "f:app": {}}}},
    }]


def test_later_writes_of_a_manager_merge_into_its_entry(update_cm: Apply) -> None:
    """Client-side apply writes accumulate in one entry, whose time moves with each change."""
    live = update_cm(None, configmap({"a": "1"}), manager_name="kubectl-client-side-apply", now=T1)
    obj = update_cm(live, configmap({"a": "1", "b": "2"}), manager_name="kubectl-client-side-apply", now=T2)
    assert managers(obj) == [("kubectl-client-side-apply", "Update")]
    data: dict[str, Any] = {".": {}, "f:a": {}, "f:b": {}}
    assert fields_of(obj, "kubectl-client-side-apply", "Update") == {"f:data": data}
    assert obj["metadata"]["managedFields"][0]["time"] == T2


def test_a_write_that_changes_nothing_leaves_entries_alone(update_cm: Apply) -> None:
    """No change: no new entry, no new time."""
    live = update_cm(None, configmap({"a": "1"}), manager_name="kubectl-create", now=T1)
    assert update_cm(live, live, manager_name="kubectl-edit", now=T3) == live


def test_a_label_change_moves_only_the_label(apply_cm: Apply, update_cm: Apply) -> None:
    """``kubectl label`` takes the label it set from the applier that set it."""
    live = apply_cm(None, configmap({"k": "v"}, labels={"tier": "a"}))
    obj = update_cm(live, with_labels(live, {"tier": "b"}), manager_name="kubectl-label")
    assert fields_of(obj, "alice") == {"f:data": {"f:k": {}}}
    assert fields_of(obj, "kubectl-label", "Update") == {"f:metadata": {"f:labels": {"f:tier": {}}}}


def test_removed_fields_leave_every_owner(apply_cm: Apply, update_cm: Apply) -> None:
    """A field deleted by an update is no longer anyone's."""
    live = apply_cm(None, configmap({"a": "1", "b": "2"}))
    obj = update_cm(live, {**live, "data": {"a": "1"}}, manager_name="kubectl-edit")
    assert fields_of(obj, "alice") == {"f:data": {"f:a": {}}}
    assert managers(obj) == [("alice", "Apply")]


def test_updates_through_different_versions_are_different_managers(widget_schema: Schema) -> None:
    """Update entries are kept per API version."""
    first = manager.update(None, widget({"size": 1}), manager="ctrl", schema=widget_schema,
                           api_version="example.com/v1", now=T1)
    second = manager.update(first, widget({"size": 1, "color": "red"}), manager="ctrl", schema=widget_schema,
                            api_version="example.com/v2", now=T2)
    assert [(e["manager"], e["apiVersion"]) for e in second["metadata"]["managedFields"]] == [
        ("ctrl", "example.com/v1"), ("ctrl", "example.com/v2")]


def test_an_apply_of_a_value_an_updater_set_shares_it(apply_cm: Apply, update_cm: Apply) -> None:
    """After an edit, applying the edited value is no conflict: the field is shared."""
    live = update_cm(None, configmap({"k": "v"}), manager_name="kubectl-create", now=T1)
    obj = apply_cm(live, configmap({"k": "v"}), now=T2)
    assert fields_of(obj, "kubectl-create", "Update") == {"f:data": {".": {}, "f:k": {}}}
    assert fields_of(obj, "alice") == {"f:data": {"f:k": {}}}


@pytest.mark.parametrize("sent", [pytest.param([], id="empty-list"),
                                  pytest.param([{}], id="one-empty-entry")])
def test_a_client_clears_managed_fields_by_sending_an_empty_list(apply_cm: Apply, update_cm: Apply,
                                                                 sent: list[Any]) -> None:
    """``managedFields: []`` (or ``[{}]``) resets tracking; the object then stays untracked."""
    live = apply_cm(None, configmap({"k": "v"}))
    cleared = update_cm(live, configmap({"k": "w"}, managedFields=sent), manager_name="kubectl-edit")
    assert "managedFields" not in cleared["metadata"]
    assert "managedFields" not in update_cm(cleared, configmap({"k": "x"}), manager_name="m")["metadata"]


def test_invalid_managed_fields_from_a_client_are_replaced_by_the_stored_ones(apply_cm: Apply,
                                                                           update_cm: Apply) -> None:
    """Entries kube cannot decode are ignored in favour of the stored ones."""
    live = apply_cm(None, configmap({"k": "v"}))
    sent = configmap({"k": "v", "b": "1"}, managedFields=[{"manager": "x", "operation": "Bogus"}])
    obj = update_cm(live, sent, manager_name="kubectl-edit")
    assert managers(obj) == [("alice", "Apply"), ("kubectl-edit", "Update")]


def test_valid_managed_fields_from_a_client_are_taken(apply_cm: Apply, update_cm: Apply) -> None:
    """A client may rewrite ownership directly by sending valid entries."""
    live = apply_cm(None, configmap({"k": "v"}))
    entries = [{"manager": "mine", "operation": "Apply", "apiVersion": "v1", "fieldsType": "FieldsV1",
                "fieldsV1": {"f:data": {"f:k": {}}}}]
    obj = update_cm(live, configmap({"k": "v"}, managedFields=entries), manager_name="kubectl-edit")
    assert managers(obj) == [("mine", "Apply")]


def test_subresource_writes_cannot_set_managed_fields(apply_cm: Apply, update_cm: Apply) -> None:
    """Through a subresource, sent entries are ignored and the writer is recorded with it."""
    live = apply_cm(None, configmap({"k": "v"}))
    obj = update_cm(live, configmap({"k": "w"}, managedFields=[]), manager_name="ctrl", subresource="status")
    entries = obj["metadata"]["managedFields"]
    assert [(e["manager"], e.get("subresource")) for e in entries] == [("ctrl", "status")]


def test_objects_never_tracked_stay_untracked(update_cm: Apply) -> None:
    """Updates of an object without managed fields do not start tracking (kube starts on create/apply)."""
    assert "managedFields" not in update_cm(configmap({"a": "1"}), configmap({"a": "2"}),
                                            manager_name="m")["metadata"]


def test_more_than_ten_update_managers_are_merged_into_ancient_changes(update_cm: Apply) -> None:
    """The oldest Update entries fold into one ``ancient-changes`` entry per version."""
    obj = update_cm(None, configmap({"k0": "0"}), manager_name="m00", now="2024-01-01T00:00:00Z")
    for i in range(1, 12):
        data = {f"k{j}": str(j) for j in range(i + 1)}
        obj = update_cm(obj, configmap(data), manager_name=f"m{i:02}", now=f"2024-01-01T00:00:{i:02}Z")
    names = [name for name, _ in managers(obj)]
    assert len(names) == 10 and names[0] == "ancient-changes" and "m00" not in names and "m01" not in names
    assert fields_of(obj, "ancient-changes", "Update") == {"f:data": {".": {}, "f:k0": {}, "f:k1": {},
                                                                      "f:k2": {}}}


def test_an_object_whose_lists_cannot_be_keyed_keeps_its_stored_entries(apply_widget: Apply,
                                                                       update_widget: Apply) -> None:
    """When ownership cannot be computed, kube keeps the stored entries rather than failing the write."""
    live = apply_widget(None, widget({"size": 1}))
    broken = {**live, "spec": {"size": 2, "parts": [{"weight": 1}]}}
    obj = update_widget(live, broken, manager_name="ctrl")
    assert obj["spec"] == broken["spec"]
    assert obj["metadata"]["managedFields"] == live["metadata"]["managedFields"]


def test_entry_times_are_normalized_to_utc_seconds(update_cm: Apply) -> None:
    """Times sent with an offset or fractions are stored as kube stores them: UTC, to the second."""
    entries = [{"manager": "m", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1",
                "time": "2024-05-01T12:00:00.75+02:00", "fieldsV1": {"f:binaryData": {}}}]
    obj = update_cm(None, configmap({"k": "v"}, managedFields=entries), manager_name="kubectl-create", now=T3)
    assert [(e["manager"], e["time"]) for e in obj["metadata"]["managedFields"]] == [
        ("m", "2024-05-01T10:00:00Z"), ("kubectl-create", T3)]
