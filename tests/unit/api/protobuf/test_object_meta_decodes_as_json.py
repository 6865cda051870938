"""ObjectMeta and DeleteOptions decode as kube's JSON serializer writes them: Go's zero values of non-pointer
fields drop out, pointer fields stay even when false or 0, FieldsV1 becomes its JSON object, times are RFC 3339."""

from __future__ import annotations

from typing import Any

import pytest

from gitplane.api.protobuf import envelope
from tests.unit.api.protobuf.protobuf_bodies import CORE, GO_EMPTY_META, body

_OWNER = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-7d9", "uid": "4f1c"}


def _metadata(fields: dict[str, Any]) -> dict[str, Any]:
    decoded = envelope.decode(body("v1", "ConfigMap", f"{CORE}.ConfigMap", {"metadata": fields}))
    return dict(decoded["metadata"])


def test_labels_annotations_and_finalizers() -> None:
    """Labels and annotations are objects, finalizers a list; Go's always-written zero fields are left out."""
    fields = {**GO_EMPTY_META, "name": "cm", "namespace": "", "labels": {"app": "web", "tier": ""},
              "annotations": {"note": "x"}, "finalizers": ["example.com/cleanup"]}
    assert _metadata(fields) == {"name": "cm", "labels": {"app": "web", "tier": ""}, "annotations": {"note": "x"},
                                 "finalizers": ["example.com/cleanup"]}


@pytest.mark.parametrize(("pointers", "expected"), [
    pytest.param({"controller": True, "blockOwnerDeletion": True}, {"controller": True, "blockOwnerDeletion": True},
                 id="true"),
    pytest.param({"controller": False, "blockOwnerDeletion": False},
                 {"controller": False, "blockOwnerDeletion": False}, id="false-is-kept"),
    pytest.param({}, {}, id="unset"),
])
def test_owner_reference_pointer_bools(pointers: dict[str, bool], expected: dict[str, bool]) -> None:
    """``controller`` and ``blockOwnerDeletion`` are ``*bool``: present means set, even to false."""
    assert _metadata({"ownerReferences": [{**_OWNER, **pointers}]}) == {"ownerReferences": [{**_OWNER, **expected}]}


def test_managed_fields_carry_fields_v1_as_json() -> None:
    """A managedFields entry's FieldsV1 is its JSON object and its time an RFC 3339 string."""
    entry = {"manager": "kubectl-create", "operation": "Update", "apiVersion": "v1", "time": {"seconds": "1700000000"},
             "fieldsType": "FieldsV1", "fieldsV1": {"Raw": "eyJmOmRhdGEiOnsiLiI6e319fQ=="}, "subresource": ""}
    assert _metadata({"managedFields": [entry]}) == {"managedFields": [{
        "manager": "kubectl-create", "operation": "Update", "apiVersion": "v1", "time": "2023-11-14T22:13:20Z",
        "fieldsType": "FieldsV1", "fieldsV1": {"f:data": {".": {}}}}]}


def test_system_fields_and_pointer_ints() -> None:
    """Set system fields come through; ``deletionGracePeriodSeconds`` (a pointer) stays at 0."""
    fields = {"uid": "4f1c", "resourceVersion": "42", "generation": "3", "creationTimestamp": {"seconds": "0"},
              "deletionTimestamp": {"seconds": "1700000000"}, "deletionGracePeriodSeconds": "0"}
    assert _metadata(fields) == {"uid": "4f1c", "resourceVersion": "42", "generation": 3,
                                 "creationTimestamp": "1970-01-01T00:00:00Z",
                                 "deletionTimestamp": "2023-11-14T22:13:20Z", "deletionGracePeriodSeconds": 0}


@pytest.mark.parametrize("api_version", ["v1", "coordination.k8s.io/v1", "meta.k8s.io/v1"])
def test_delete_options_decode_in_any_group_version(api_version: str) -> None:
    """DeleteOptions, which every group version serves, come from meta/v1 with their pointers kept."""
    fields = {"gracePeriodSeconds": "0", "preconditions": {"uid": "4f1c", "resourceVersion": "42"},
              "orphanDependents": False, "propagationPolicy": "Foreground", "dryRun": ["All"]}
    assert envelope.decode(body(api_version, "DeleteOptions", "k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions",
                                fields)) == {
        "apiVersion": api_version, "kind": "DeleteOptions", "gracePeriodSeconds": 0,
        "preconditions": {"uid": "4f1c", "resourceVersion": "42"}, "orphanDependents": False,
        "propagationPolicy": "Foreground", "dryRun": ["All"]}
