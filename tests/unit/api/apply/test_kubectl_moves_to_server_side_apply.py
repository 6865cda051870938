"""``kubectl apply --server-side`` takes over objects created by client-side ``kubectl apply``."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from gitplane.api.apply import lastapplied
from gitplane.api.errors import APIError
from tests.unit.api.apply.apply_helpers import T1, T2, T3, Apply, configmap, fields_of


def client_side_applied(update_cm: Apply, data: dict[str, str]) -> dict[str, Any]:
    """An object as ``kubectl apply`` (client-side) creates it: annotated, owned by its Update manager."""
    annotation = orjson.dumps(configmap(data), option=orjson.OPT_SORT_KEYS).decode() + "\n"
    return update_cm(None, configmap(data, annotations={lastapplied.ANNOTATION: annotation}),
                     manager_name="kubectl-client-side-apply", now=T1)


def test_kubectl_takes_fields_its_last_applied_configuration_set(apply_cm: Apply, update_cm: Apply) -> None:
    """``kubectl`` takes fields the annotation still describes; the client-side manager keeps the rest."""
    live = client_side_applied(update_cm, {"k": "v"})
    obj = apply_cm(live, configmap({"k": "w"}), manager_name="kubectl", now=T2)
    assert obj["data"] == {"k": "w"} and fields_of(obj, "kubectl") == {"f:data": {"f:k": {}}}
    assert fields_of(obj, "kubectl-client-side-apply", "Update") == {"f:data": {}, "f:metadata": {
        "f:annotations": {".": {}, "f:" + lastapplied.ANNOTATION: {}}}}


def test_the_last_applied_annotation_follows_the_server_side_configuration(apply_cm: Apply,
                                                                            update_cm: Apply) -> None:
    """The annotation is rewritten to the applied configuration, so client-side apply stays coherent."""
    live = client_side_applied(update_cm, {"k": "v"})
    obj = apply_cm(live, configmap({"k": "w"}), manager_name="kubectl", now=T2)
    written = obj["metadata"]["annotations"][lastapplied.ANNOTATION]
    assert written == ('{"apiVersion":"v1","data":{"k":"w"},"kind":"ConfigMap",'
                       '"metadata":{"name":"c","namespace":"default"}}\n')


def test_other_managers_get_no_such_allowance(apply_cm: Apply, update_cm: Apply) -> None:
    """Only the field manager ``kubectl`` is upgraded; others conflict as usual."""
    live = client_side_applied(update_cm, {"k": "v"})
    with pytest.raises(APIError) as caught:
        apply_cm(live, configmap({"k": "w"}), manager_name="gitops", now=T2)
    assert caught.value.message == (
        'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.k')


def test_fields_changed_since_the_client_side_apply_still_conflict(apply_cm: Apply, update_cm: Apply) -> None:
    """A field someone edited after the client-side apply is not covered by the annotation."""
    live = client_side_applied(update_cm, {"k": "v"})
    live = update_cm(live, {**live, "data": {"k": "edited"}}, manager_name="kubectl-edit", now=T2)
    with pytest.raises(APIError) as caught:
        apply_cm(live, configmap({"k": "w"}), manager_name="kubectl", now=T3)
    assert caught.value.message == (
        'Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: .data.k')
