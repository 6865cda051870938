"""Apply conflicts: other managers' fields are protected, with kube's exact messages and causes."""

from __future__ import annotations

from typing import Any

import pytest

from gitplane.api.errors import APIError
from tests.unit.api.apply.apply_helpers import T1, T2, T3, Apply, configmap, fields_of, managers


def conflict(apply: Apply, live: dict[str, Any], config: dict[str, Any], **options: Any) -> APIError:
    with pytest.raises(APIError) as caught:
        apply(live, config, **options)
    return caught.value


def test_changing_a_field_another_applier_owns_is_a_conflict(apply_cm: Apply) -> None:
    """One conflicting field: kube's singular message and one FieldManagerConflict cause."""
    live = apply_cm(None, configmap({"k": "v"}))
    error = conflict(apply_cm, live, configmap({"k": "other"}), manager_name="bob")
    assert error.status() == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": 'Apply failed with 1 conflict: conflict with "alice": .data.k', "reason": "Conflict",
        "code": 409,
        "details": {"causes": [{"reason": "FieldManagerConflict", "message": 'conflict with "alice"',
                                "field": ".data.k"}]},
    }


def test_several_conflicts_are_listed_per_manager(apply_cm: Apply, update_cm: Apply) -> None:
    """Plural form: grouped by manager, Update managers named with the version they wrote through."""
    live = apply_cm(None, configmap({"a": "1", "b": "2"}))
    live = update_cm(live, configmap({"a": "1", "b": "2", "c": "3"}), manager_name="kubectl-edit")
    error = conflict(apply_cm, live, configmap({"a": "x", "b": "y", "c": "z"}), manager_name="bob")
    assert error.message == ('Apply failed with 3 conflicts: conflicts with "alice":\n- .data.a\n- .data.b\n'
                             'conflicts with "kubectl-edit" using v1:\n- .data.c')
    assert [(c["message"], c["field"]) for c in error.details["causes"]] == [
        ('conflict with "alice"', ".data.a"), ('conflict with "alice"', ".data.b"),
        ('conflict with "kubectl-edit" using v1', ".data.c")]


def test_a_subresource_manager_is_named_with_its_subresource(apply_cm: Apply) -> None:
    """Managers that wrote through a subresource are named ``"m" with subresource "status"``."""
    live = apply_cm(None, configmap({"k": "v"}), manager_name="ctrl", subresource="status")
    error = conflict(apply_cm, live, configmap({"k": "w"}))
    assert error.message == ('Apply failed with 1 conflict: conflict with "ctrl" with subresource "status": '
                             ".data.k")


def test_force_takes_the_field_from_the_other_manager(apply_cm: Apply) -> None:
    """With force the applier wins; the previous owner loses the field (and its entry if now empty)."""
    live = apply_cm(None, configmap({"k": "v", "mine": "1"}))
    obj = apply_cm(live, configmap({"k": "other"}), manager_name="bob", force=True, now=T2)
    assert obj["data"] == {"k": "other", "mine": "1"}
    assert fields_of(obj, "alice") == {"f:data": {"f:mine": {}}}
    assert fields_of(obj, "bob") == {"f:data": {"f:k": {}}}


def test_applying_the_same_value_shares_ownership(apply_cm: Apply) -> None:
    """A field set to the value it already has is not a conflict; both managers own it."""
    live = apply_cm(None, configmap({"k": "v"}))
    obj = apply_cm(live, configmap({"k": "v"}), manager_name="bob", now=T2)
    assert sorted(managers(obj)) == [("alice", "Apply"), ("bob", "Apply")]
    assert fields_of(obj, "alice") == fields_of(obj, "bob") == {"f:data": {"f:k": {}}}


def test_an_apply_that_changes_nothing_does_not_record_a_time(apply_cm: Apply) -> None:
    """Times move only when the object changes: a new sharer gets none (and sorts first, as in kube)."""
    live = apply_cm(None, configmap({"k": "v"}))
    obj = apply_cm(live, configmap({"k": "v"}), manager_name="bob", now=T3)
    assert [(e["manager"], e.get("time")) for e in obj["metadata"]["managedFields"]] == [
        ("bob", None), ("alice", T1)]


def test_after_an_edit_the_applier_conflicts_with_the_editor(apply_cm: Apply, update_cm: Apply) -> None:
    """``kubectl edit`` takes the field it changed; the next apply of the old value conflicts."""
    live = apply_cm(None, configmap({"k": "v"}))
    edited = update_cm(live, {**live, "data": {"k": "edited"}}, manager_name="kubectl-edit")
    assert fields_of(edited, "kubectl-edit", "Update") == {"f:data": {"f:k": {}}}
    assert managers(edited) == [("kubectl-edit", "Update")]
    error = conflict(apply_cm, edited, configmap({"k": "v"}), now=T3)
    assert error.message == 'Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: .data.k'
