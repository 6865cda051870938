"""Server-side apply creates objects, records its ownership as kube does, and repeats as a no-op."""

from __future__ import annotations

import pytest

from gitplane.api.apply import manager
from gitplane.api.errors import APIError
from gitplane.api.schema import Schema
from tests.unit.api.apply.apply_helpers import T1, T2, Apply, configmap, fields_of


def test_apply_creates_the_object_with_one_apply_entry(apply_cm: Apply) -> None:
    """The created object is the configuration plus an Apply entry in kube's layout."""
    obj = apply_cm(None, configmap({"k": "v"}, labels={"app": "web"}))
    assert obj["data"] == {"k": "v"} and obj["metadata"]["labels"] == {"app": "web"}
    assert obj["metadata"]["managedFields"] == [{
        "manager": "alice", "operation": "Apply", "apiVersion": "v1", "time": T1, "fieldsType": "FieldsV1",
        "fieldsV1": {"f:data": {"f:k": {}}, "f:metadata": {"f:labels": {"f:app": {}}}},
    }]


def test_identity_and_type_fields_are_never_owned(apply_cm: Apply) -> None:
    """apiVersion, kind, metadata.name/namespace/uid/... stay out of every entry."""
    config = configmap({"k": "v"}, uid="u", resourceVersion="5", generation=2, creationTimestamp=None)
    assert fields_of(apply_cm(None, config), "alice") == {"f:data": {"f:k": {}}}


def test_an_apply_that_sets_nothing_leaves_no_entry(apply_cm: Apply) -> None:
    """A configuration of only identity fields owns nothing, so no entry is written."""
    assert "managedFields" not in apply_cm(None, configmap())["metadata"]


def test_applying_the_same_configuration_again_changes_nothing(apply_cm: Apply) -> None:
    """The second apply returns the same object, entry time included."""
    first = apply_cm(None, configmap({"k": "v"}))
    assert apply_cm(first, configmap({"k": "v"}), now=T2) == first


def test_a_changing_apply_moves_the_entry_time(apply_cm: Apply) -> None:
    """The applier's time is the time of its last apply that changed the object."""
    first = apply_cm(None, configmap({"k": "v"}))
    second = apply_cm(first, configmap({"k": "w"}), now=T2)
    assert second["data"] == {"k": "w"} and second["metadata"]["managedFields"][0]["time"] == T2


def test_the_subresource_is_part_of_the_entry(apply_cm: Apply) -> None:
    """An apply through a subresource is recorded as its own manager with ``subresource``."""
    entry = apply_cm(None, configmap({"k": "v"}), subresource="status")["metadata"]["managedFields"][0]
    assert entry["subresource"] == "status" and list(entry)[-1] == "subresource"


def test_a_configuration_carrying_managed_fields_is_rejected(apply_cm: Apply) -> None:
    """kube answers 400 ``metadata.managedFields must be nil``."""
    with pytest.raises(APIError) as caught:
        apply_cm(None, configmap({"k": "v"}, managedFields=[]))
    assert (caught.value.code, caught.value.message) == (400, "metadata.managedFields must be nil")


@pytest.mark.parametrize(("api_version", "kind", "message"), [
    pytest.param("v2", "ConfigMap", "invalid object type: /v2, Kind=ConfigMap", id="version"),
    pytest.param("v1", "Secret", "invalid object type: /v1, Kind=Secret", id="kind"),
    pytest.param("a/b/c", "ConfigMap", "invalid object type: /, Kind=", id="unparsable"),
])
def test_a_configuration_of_another_type_is_rejected(configmap_schema: Schema, api_version: str, kind: str,
                                                     message: str) -> None:
    """The configuration's apiVersion and kind must be the endpoint's (kube's wording)."""
    config = {**configmap({"k": "v"}), "apiVersion": api_version, "kind": kind}
    with pytest.raises(APIError) as caught:
        manager.apply(None, config, manager="alice", force=False, schema=configmap_schema, api_version="v1",
                      kind="ConfigMap", now=T1)
    assert (caught.value.code, caught.value.message) == (400, message)


def test_applying_to_an_untracked_object_credits_its_fields_to_before_first_apply(apply_cm: Apply) -> None:
    """An object without managed fields gets a ``before-first-apply`` Update entry for what it had."""
    live = configmap({"old": "1"})
    obj = apply_cm(live, configmap({"k": "v"}))
    assert obj["metadata"]["managedFields"] == [
        {"manager": "alice", "operation": "Apply", "apiVersion": "v1", "time": T1, "fieldsType": "FieldsV1",
         "fieldsV1": {"f:data": {"f:k": {}}}},
        {"manager": "before-first-apply", "operation": "Update", "apiVersion": "v1", "time": T1,
         "fieldsType": "FieldsV1", "fieldsV1": {"f:data": {".": {}, "f:old": {}}}},
    ]


def test_a_stored_object_with_broken_managed_fields_fails_the_apply(apply_cm: Apply) -> None:
    """Stored entries must decode; kube answers 500 otherwise."""
    live = configmap({"k": "v"}, managedFields=[{"manager": "x", "operation": "Patch"}])
    with pytest.raises(APIError) as caught:
        apply_cm(live, configmap({"k": "v"}))
    assert caught.value.code == 500 and "operation must be `Apply` or `Update`" in caught.value.message
