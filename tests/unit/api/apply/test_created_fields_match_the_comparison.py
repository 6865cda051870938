"""A create's owned fields, walked once and written straight in the FieldsV1 encoding
(``typed.added_fields_v1``), are exactly the encoding of what comparing the object with nothing gives
(``typed.compare({}, obj).changed``), for any object of a rich type; and the difference taken on the encoding
is the field sets' difference: the fast path a create takes may never own a different set than the general
one."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gitplane.api import builtin_schemas
from gitplane.api.apply import fieldsv1, manager, schematype, typed
from gitplane.api.apply.fieldpath import FieldSet
from gitplane.api.schema import Schema

KEYS = ("spec", "template", "metadata", "labels", "finalizers", "containers", "initContainers", "name", "ports",
        "containerPort", "protocol", "env", "value", "selector", "matchLabels", "replicas", "data", "args",
        "x", "y")
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from(["a", "b", "TCP", "UDP"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)), max_leaves=30)
OBJECTS = st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=6)


def _node(name: str) -> schematype.TypeNode:
    return schematype.type_of(Schema.named(name, builtin_schemas.builtin_definitions()))


NODES = {name: _node(name) for name in ("io.k8s.api.apps.v1.Deployment", "io.k8s.api.core.v1.ConfigMap")}


def _outcome(walk: Any) -> Any:
    try:
        return walk()
    except typed.TypedError:
        return "error"  # which of several bad elements is named first may differ


@pytest.mark.parametrize("name", sorted(NODES))
@settings(max_examples=300, deadline=None)
@given(obj=OBJECTS)
def test_added_fields_equal_the_comparison_from_nothing(name: str, obj: dict[str, Any]) -> None:
    node = NODES[name]
    fast = _outcome(lambda: typed.added_fields_v1(obj, node))
    general = _outcome(lambda: fieldsv1.to_fields_v1(typed.compare({}, obj, node).changed))
    assert fast == general
    if fast != "error":
        assert list(fast) == list(general)  # the same element order, byte for byte once encoded


PATHS = st.lists(st.lists(st.sampled_from(["f:a", "f:b", "f:c", 'k:{"name":"x"}', "v:1", "i:0"]), min_size=1,
                          max_size=4).map(tuple), max_size=8)


@settings(max_examples=500, deadline=None)
@given(mine=PATHS, theirs=PATHS)
def test_the_difference_on_the_encoding_is_the_field_sets_difference(mine: list[tuple[str, ...]],
                                                                     theirs: list[tuple[str, ...]]) -> None:
    fields, other = FieldSet.from_paths(mine), FieldSet.from_paths(theirs)
    encoded = fieldsv1.to_fields_v1(fields)
    assert fieldsv1.difference(encoded, other) == fieldsv1.to_fields_v1(fields.difference(other))
    assert fieldsv1.difference(encoded, other, recursive=True) == \
        fieldsv1.to_fields_v1(fields.recursive_difference(other))
    assert encoded == fieldsv1.to_fields_v1(fields)  # left as it was


def test_a_create_records_what_an_update_from_nothing_records() -> None:
    """The manager's create fast path and its general path write the same entry."""
    schema = Schema.named("io.k8s.api.apps.v1.Deployment", builtin_schemas.builtin_definitions())
    obj = {"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": "d", "namespace": "n", "labels": {"app": "d"}},
           "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "d"}},
                    "template": {"spec": {"containers": [{"name": "c", "image": "i",
                                                          "ports": [{"containerPort": 80}]}]}}}}
    created = manager.update(None, obj, manager="m", schema=schema, api_version="apps/v1", now="2026-01-01T00:00:00Z")
    general = manager.update({"metadata": {"managedFields": [{"manager": "other", "operation": "Update",
                                                              "apiVersion": "apps/v1", "fieldsType": "FieldsV1",
                                                              "fieldsV1": {"f:x": {}}}]}},
                             obj, manager="m", schema=schema, api_version="apps/v1", now="2026-01-01T00:00:00Z")
    entries = [e for e in general["metadata"]["managedFields"] if e["manager"] == "m"]
    assert created["metadata"]["managedFields"] == entries
    assert created["metadata"]["managedFields"][0]["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"] \
        == {".": {}, 'k:{"name":"c"}': {".": {}, "f:image": {}, "f:name": {}, "f:ports": {
            ".": {}, 'k:{"containerPort":80}': {".": {}, "f:containerPort": {}}}}}
