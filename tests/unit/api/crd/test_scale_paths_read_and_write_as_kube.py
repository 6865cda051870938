"""The scale subresource's paths read and write a custom object as unstructured's NestedInt64, NestedString and
SetNestedField do, and the checks kube's validator adds for a type with scale are worded as kube words them."""

from __future__ import annotations

import re
from typing import Any

import pytest

from gitplane.api.crd import scale
from gitplane.api.crd.scale import ScalePaths

PATHS = ScalePaths.of({"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas",
                       "labelSelectorPath": ".status.selector"})


def widget(spec: Any = None, status: Any = None) -> dict[str, Any]:
    obj: dict[str, Any] = {"apiVersion": "x.io/v1", "kind": "W",
                           "metadata": {"name": "w", "namespace": "d", "uid": "u", "resourceVersion": "7",
                                        "creationTimestamp": "2026-01-01T00:00:00Z", "labels": {"a": "b"}}}
    if spec is not None:
        obj["spec"] = spec
    if status is not None:
        obj["status"] = status
    return obj


def test_a_scale_copies_the_identity_of_the_object_and_reads_its_paths() -> None:
    value, found = scale.scale_of(widget({"replicas": 3}, {"replicas": 2, "selector": "a=b"}), PATHS)
    assert found
    assert value == {"kind": "Scale", "apiVersion": "autoscaling/v1",
                     "metadata": {"name": "w", "namespace": "d", "uid": "u", "resourceVersion": "7",
                                  "creationTimestamp": "2026-01-01T00:00:00Z"},
                     "spec": {"replicas": 3}, "status": {"replicas": 2, "selector": "a=b"}}


@pytest.mark.parametrize("spec", [None, {}, {"replicas": None}], ids=["no-spec", "no-replicas", "null-spec"])
def test_absent_replicas_read_as_zero_and_not_found(spec: Any) -> None:
    obj = widget(spec if spec != {"replicas": None} else None)
    value, found = scale.scale_of(obj, PATHS)
    assert (value["spec"], value["status"], found) == ({"replicas": 0}, {"replicas": 0}, False)


@pytest.mark.parametrize(("spec", "message"), [
    ({"replicas": "3"}, ".spec.replicas accessor error: 3 is of the type string, expected int64"),
    ({"replicas": 1.5}, ".spec.replicas accessor error: 1.5 is of the type float64, expected int64"),
    ("x", ".spec.replicas accessor error: x is of the type string, expected map[string]interface{}"),
])
def test_a_value_of_another_type_is_an_accessor_error(spec: Any, message: str) -> None:
    with pytest.raises(scale.AccessorError, match=f"^{re.escape(message)}$"):
        scale.scale_of(widget(spec), PATHS)


def test_replicas_are_written_making_the_objects_on_the_way() -> None:
    obj = widget()
    scale.with_replicas(obj, ".spec.deep.replicas", 4)
    assert obj["spec"] == {"deep": {"replicas": 4}}
    with pytest.raises(scale.AccessorError, match=r"value cannot be set because \.spec is not a map"):
        scale.with_replicas(widget("x"), ".spec.replicas", 1)


@pytest.mark.parametrize(("replicas", "expected"), [
    (2, []),
    (-1, [".spec.replicas: Invalid value: -1: should be a non-negative integer"]),
    (2**31, [".spec.replicas: Invalid value: 2147483648: should be less than or equal to 2147483647"]),
])
def test_spec_replicas_must_be_an_int32_not_below_zero(replicas: int, expected: list[str]) -> None:
    assert [str(e) for e in scale.validate_spec(widget({"replicas": replicas}), PATHS)] == expected


def test_the_status_checks_cover_the_replicas_and_the_selector() -> None:
    found = scale.validate_status(widget({}, {"replicas": -2, "selector": 3}), PATHS)
    assert [str(e) for e in found] == [
        ".status.replicas: Invalid value: -2: should be a non-negative integer",
        '.status.selector: Invalid value: "": .status.selector accessor error: 3 is of the type int64, '
        "expected string"]
