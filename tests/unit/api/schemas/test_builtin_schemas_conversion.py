"""The built-in schemas come back from kubernetes_validate's JSON-schema form in kube's OpenAPI v3 form (and
convert to Swagger 2.0)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from gitplane.api import builtin_schemas
from gitplane.api.schema import Schema

DEFINITIONS = builtin_schemas.builtin_definitions()
META = "io.k8s.apimachinery.pkg.apis.meta.v1."


def schema_nodes(node: Any) -> Iterator[Mapping[str, Any]]:
    """Every schema node below ``node``, by schema keywords only (a property named ``$ref`` is a name)."""
    if not isinstance(node, Mapping):
        return
    yield node
    for key, value in node.items():
        if key == "properties":
            for child in value.values():
                yield from schema_nodes(child)
        elif key in ("items", "additionalProperties"):
            yield from schema_nodes(value)
        elif key in ("allOf", "oneOf", "anyOf"):
            for child in value:
                yield from schema_nodes(child)


ALL_NODES = [n for definition in DEFINITIONS.values() for n in schema_nodes(definition)]


@pytest.mark.parametrize(("folders", "chosen"), [
    pytest.param(["v1.29.0-local", "v1.30.0-local", "v1.30.0-local-strict", "v1.31.0-local"], "v1.30.0-local",
                 id="exact"),
    pytest.param(["v1.28.0-local", "v1.32.0-local", "v1.33.0-local"], "v1.28.0-local", id="older-on-a-tie"),
    pytest.param(["v1.33.0-local", "v1.35.0-local", "master-local", "v2.30.0-local"], "v1.33.0-local",
                 id="nearest-of-the-same-major"),
])
def test_the_version_folder_closest_to_the_served_version_is_chosen(folders: list[str], chosen: str) -> None:
    """The schema folder is picked by distance to 1.30, so new or dropped versions in the package are fine."""
    assert builtin_schemas.closest_version_folder(folders, "1.30") == chosen


def test_no_version_folder_is_an_error() -> None:
    """Without a folder of the wanted major version the load fails loudly."""
    with pytest.raises(LookupError):
        builtin_schemas.closest_version_folder(["v2.0.0-local", "other"], "1.30")


def test_the_server_reports_kubernetes_1_30() -> None:
    """The served minor version is 1.30."""
    assert builtin_schemas.KUBERNETES_VERSION == "1.30"


def test_definitions_are_loaded_once() -> None:
    """The table is cached: every caller shares one object."""
    assert builtin_schemas.builtin_definitions() is DEFINITIONS


def test_no_json_schema_nullable_types_remain() -> None:
    """``["string", "null"]`` types are back to kube's single types."""
    assert all(not isinstance(n.get("type"), list) for n in ALL_NODES)


def test_every_reference_points_into_components_and_resolves() -> None:
    """No ``#/$defs`` refs remain and every ref names an existing definition."""
    refs = [n["$ref"] for n in ALL_NODES if isinstance(n.get("$ref"), str)]
    assert refs
    prefix = builtin_schemas.V3_REF_PREFIX
    assert all(r.startswith(prefix) and r[len(prefix):] in DEFINITIONS for r in refs)


def test_references_with_siblings_are_wrapped_in_all_of() -> None:
    """kube's v3 style: a ref with a description is ``allOf: [{$ref}]`` beside the description."""
    assert all(set(n) == {"$ref"} for n in ALL_NODES if "$ref" in n)
    metadata = DEFINITIONS["io.k8s.api.core.v1.ConfigMap"]["properties"]["metadata"]
    assert metadata["allOf"] == [{"$ref": "#/components/schemas/" + META + "ObjectMeta"}]
    assert metadata["description"]
    items = DEFINITIONS["io.k8s.api.core.v1.ConfigMapList"]["properties"]["items"]["items"]
    assert items == {"$ref": "#/components/schemas/io.k8s.api.core.v1.ConfigMap"}


def test_int_or_string_is_kubes_int_or_string_schema() -> None:
    """IntOrString is ``int-or-string`` with its one-of types and the int-or-string extension."""
    assert DEFINITIONS["io.k8s.apimachinery.pkg.util.intstr.IntOrString"] == {
        "format": "int-or-string", "oneOf": [{"type": "integer"}, {"type": "string"}],
        "x-kubernetes-int-or-string": True}
    assert Schema.named("io.k8s.apimachinery.pkg.util.intstr.IntOrString", DEFINITIONS).int_or_string


def test_kind_and_api_version_enums_are_dropped() -> None:
    """The enum the package pins on each kind's apiVersion and kind is not kube's and is gone."""
    for definition in DEFINITIONS.values():
        for name in ("apiVersion", "kind"):
            assert "enum" not in definition.get("properties", {}).get(name, {})


def test_properties_named_like_keywords_are_kept() -> None:
    """JSONSchemaProps declares properties named ``$ref`` and ``$schema``; they stay properties."""
    name = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps"
    props = DEFINITIONS[name]["properties"]
    assert {"$ref", "$schema"} <= set(props)
    assert props["$ref"]["type"] == "string"


@pytest.mark.parametrize(("name", "gvk"), [
    pytest.param("io.k8s.api.core.v1.ConfigMap", {"group": "", "version": "v1", "kind": "ConfigMap"},
                 id="cm"),
    pytest.param("io.k8s.api.core.v1.Secret", {"group": "", "version": "v1", "kind": "Secret"}, id="secret"),
    pytest.param("io.k8s.api.core.v1.Namespace", {"group": "", "version": "v1", "kind": "Namespace"},
                 id="ns"),
    pytest.param("io.k8s.api.coordination.v1.Lease",
                 {"group": "coordination.k8s.io", "version": "v1", "kind": "Lease"}, id="lease"),
    pytest.param("io.k8s.api.core.v1.Event", {"group": "", "version": "v1", "kind": "Event"}, id="event"),
    pytest.param("io.k8s.api.events.v1.Event", {"group": "events.k8s.io", "version": "v1", "kind": "Event"},
                 id="events-v1-event"),
])
def test_served_kinds_are_present_with_their_group_version_kind(name: str, gvk: dict[str, str]) -> None:
    """Each served kind carries ``x-kubernetes-group-version-kind``, which kubectl explain looks for."""
    schema = Schema.named(name, DEFINITIONS)
    assert gvk in schema.group_version_kinds
    assert schema.type == "object"
    assert schema.description


def test_field_descriptions_survive_for_kubectl_explain() -> None:
    """Field descriptions (what ``kubectl explain configmap.data`` prints) are present."""
    data = Schema.named("io.k8s.api.core.v1.ConfigMap", DEFINITIONS).field("data")
    assert data is not None
    assert data.description.startswith("Data contains the configuration data.")
    assert data.additional_properties is not None
    assert data.additional_properties.type == "string"


def test_list_and_patch_extensions_are_kept() -> None:
    """Server-side apply and strategic merge need the list and patch extensions of built-in types."""
    owners = Schema.named(META + "ObjectMeta", DEFINITIONS).field("ownerReferences")
    assert owners is not None
    assert (owners.list_type, owners.list_map_keys, owners.patch_merge_key) == ("map", ["uid"], "uid")


def test_swagger_v2_uses_definition_refs_with_siblings() -> None:
    """In v2, refs point into ``#/definitions`` and keep their description beside them."""
    v2 = builtin_schemas.to_swagger_v2(DEFINITIONS)
    metadata = v2["io.k8s.api.core.v1.ConfigMap"]["properties"]["metadata"]
    assert metadata["$ref"] == "#/definitions/" + META + "ObjectMeta"
    assert metadata["description"]
    assert "allOf" not in metadata
    nodes = [n for definition in v2.values() for n in schema_nodes(definition)]
    assert all(n["$ref"].removeprefix(builtin_schemas.V2_REF_PREFIX) in v2
               for n in nodes if isinstance(n.get("$ref"), str))


def test_swagger_v2_declares_one_of_types_as_strings() -> None:
    """Swagger 2.0 has no oneOf: IntOrString is a string of format int-or-string, Quantity a string."""
    v2 = builtin_schemas.to_swagger_v2(DEFINITIONS)
    int_or_string = v2["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]
    assert int_or_string == {"type": "string", "format": "int-or-string"}
    assert v2["io.k8s.apimachinery.pkg.api.resource.Quantity"] == {"type": "string"}
