"""Compiling schemas into apply types follows kube-openapi's conversion rules."""

from __future__ import annotations

from typing import Any

import pytest

from gitplane.api.apply import schematype
from gitplane.api.schema import Definitions, Schema


def node_of(schema: dict[str, Any]) -> schematype.TypeNode:
    return schematype.type_of(Schema.of(schema))


LIST_TYPE, MAP_KEYS = "x-kubernetes-list-type", "x-kubernetes-list-map-keys"
STRATEGY, MERGE_KEY = "x-kubernetes-patch-strategy", "x-kubernetes-patch-merge-key"


@pytest.mark.parametrize(("extensions", "kind", "keys"), [
    pytest.param({}, "atomic", (), id="default-atomic"),
    pytest.param({LIST_TYPE: "set"}, "set", (), id="set"),
    pytest.param({LIST_TYPE: "map", MAP_KEYS: ["a", "b"]}, "map", ("a", "b"), id="map"),
    pytest.param({STRATEGY: "merge", MERGE_KEY: "n"}, "map", ("n",), id="merge-key"),
    pytest.param({STRATEGY: "merge,retainKeys", MERGE_KEY: "n"}, "map", ("n",), id="merge-retain-keys"),
    pytest.param({STRATEGY: "merge"}, "set", (), id="merge-without-key"),
    pytest.param({STRATEGY: "retainKeys"}, "atomic", (), id="retain-keys"),
    pytest.param({LIST_TYPE: "atomic", STRATEGY: "merge"}, "atomic", (), id="list-type-wins"),
])
def test_list_types(extensions: dict[str, Any], kind: str, keys: tuple[str, ...]) -> None:
    """List types come from ``x-kubernetes-list-type``, else from the strategic-merge extensions."""
    shape = node_of({"type": "array", **extensions}).list
    assert shape is not None and (shape.kind, shape.keys) == (kind, keys)


def test_quantities_are_opaque_scalars(definitions: Definitions) -> None:
    """``resources.limits`` values are leaves even though Quantity's schema is not a plain scalar."""
    requirements = schematype.type_of(Schema.named("io.k8s.api.core.v1.ResourceRequirements", definitions))
    assert requirements.map is not None
    limits = requirements.map.field("limits")
    assert limits.map is not None
    quantity = limits.map.field("cpu")
    assert quantity.map is None and quantity.list is None


def test_a_map_type_beside_a_reference_overrides_the_referenced_type(definitions: Definitions) -> None:
    """``x-kubernetes-map-type: atomic`` next to a ``$ref`` makes that use of the type atomic."""
    spec = schematype.type_of(Schema.named("io.k8s.api.apps.v1.DeploymentSpec", definitions))
    assert spec.map is not None
    selector = spec.map.field("selector")
    assert selector.map is not None and selector.map.atomic


def test_int_or_string_takes_the_shape_of_its_value(definitions: Definitions) -> None:
    """An int-or-string field has no fixed type: a scalar value is a leaf."""
    port = schematype.type_of(Schema.named("io.k8s.api.core.v1.ServicePort", definitions))
    assert port.map is not None
    target = port.map.field("targetPort")
    assert target.map is not None and target.list is not None and not target.map.atomic


def test_compiled_types_are_memoized() -> None:
    """The same schema node compiles once."""
    schema = Schema.of({"type": "object", "properties": {"a": {"type": "string"}}})
    assert schematype.type_of(schema) is schematype.type_of(schema)


def test_no_schema_is_the_deduced_type() -> None:
    """``None`` gives granular maps of deduced values and atomic lists."""
    deduced = schematype.type_of(None)
    assert deduced.map is not None and not deduced.map.atomic and deduced.map.field("x") is deduced
    assert deduced.list is not None and deduced.list.kind == "atomic"
