"""A CRD's schemas are refused unless structural, with kube's exact paths and messages."""

from __future__ import annotations

from typing import Any

import pytest

from gitplane.api import errors
from gitplane.api.crd import validate_crd_schemas

P = "spec.versions[0].schema.openAPIV3Schema"


def _crd(schema: Any, *, status: bool = False) -> dict[str, Any]:
    version: dict[str, Any] = {"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": schema}}
    if status:
        version["subresources"] = {"status": {}}
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com"},
            "spec": {"group": "example.com", "scope": "Namespaced",
                     "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
                     "versions": [version]}}


def _messages(schema: Any, **kwargs: Any) -> list[str]:
    return [str(e) for e in validate_crd_schemas(_crd(schema, **kwargs))]


def _obj(**props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props}


def test_a_structural_schema_passes() -> None:
    schema = _obj(spec=_obj(replicas={"type": "integer", "default": 1, "minimum": 0},
                            port={"x-kubernetes-int-or-string": True},
                            extra={"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                            labels={"type": "object", "additionalProperties": {"type": "string"}},
                            ports={"type": "array", "x-kubernetes-list-type": "map",
                                   "x-kubernetes-list-map-keys": ["name"],
                                   "items": _obj(name={"type": "string"}) | {"required": ["name"]}}),
                  metadata=_obj(name={"type": "string", "maxLength": 20}))
    assert _messages(schema) == []


@pytest.mark.parametrize(("schema", "expected"), [
    pytest.param(_obj(spec={"description": "no type"}),
                 [f"{P}.properties[spec].type: Required value: must not be empty for specified object fields"],
                 id="field-without-type"),
    pytest.param(_obj(list={"type": "array", "items": {}}),
                 [f"{P}.properties[list].items.type: Required value: must not be empty for specified array items"],
                 id="item-without-type"),
    pytest.param({"properties": {"a": {"type": "string"}}},
                 [f"{P}.type: Required value: must not be empty at the root"], id="root-without-type"),
    pytest.param({"type": "string"}, [f"{P}.type: Invalid value: \"string\": must be object at the root"],
                 id="root-not-object"),
    pytest.param(_obj(list={"type": "array"}), [f"{P}.properties[list].items: Required value: must be specified"],
                 id="array-without-items"),
    pytest.param({"type": "object", "additionalProperties": {"type": "string"}},
                 [f"{P}.additionalProperties: Forbidden: must not be used at the root"], id="root-additional"),
    pytest.param(_obj(m={"type": "object", "properties": {"a": {"type": "string"}},
                         "additionalProperties": {"type": "string"}}),
                 [f"{P}.properties[m].additionalProperties: Forbidden: additionalProperties and properties are "
                  "mutual exclusive"], id="properties-and-additional"),
    pytest.param(_obj(a={"type": "string", "uniqueItems": True}),
                 [f"{P}.properties[a].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime "
                  "complexity becomes quadratic"], id="unique-items"),
    pytest.param(_obj(a={"$ref": "#/definitions/x"}),
                 [f"{P}.properties[a].$ref: Forbidden: $ref is not supported"], id="ref"),
    pytest.param({"type": "object", "definitions": {"x": {"type": "string"}}},
                 [f"{P}.definitions: Forbidden: definitions is not supported"], id="definitions"),
    pytest.param(_obj(a={"type": "object", "patternProperties": {"^x": {"type": "string"}}}),
                 [f"{P}.properties[a].patternProperties: Forbidden: patternProperties is not supported"],
                 id="pattern-properties"),
    pytest.param(_obj(a={"type": "object", "dependencies": {"x": ["y"]}}),
                 [f"{P}.properties[a].dependencies: Forbidden: dependencies is not supported"], id="dependencies"),
    pytest.param(_obj(a={"type": "array", "items": {"type": "string"}, "additionalItems": False}),
                 [f"{P}.properties[a].additionalItems: Forbidden: additionalItems is not supported"],
                 id="additional-items"),
    pytest.param({"type": "object", "$schema": "http://json-schema.org/draft-04/schema#"},
                 [f"{P}: Invalid value: \"\": OpenAPIV3Schema 'schema' is not supported"], id="dollar-schema"),
    pytest.param(_obj(a={"type": "strin"}),
                 [f'{P}.properties[a].type: Unsupported value: "strin": supported values: "array", "boolean", '
                  '"integer", "number", "object", "string"'], id="unknown-type"),
    pytest.param(_obj(a={"type": "string", "pattern": "(abc"}),
                 [f'{P}.properties[a].pattern: Invalid value: "(abc": must be a valid regular expression, but '
                  "isn't: error parsing regexp: missing closing ): `(abc`"], id="bad-pattern"),
    pytest.param(_obj(a={"type": "string", "pattern": "(?=x)y"}),
                 [f'{P}.properties[a].pattern: Invalid value: "(?=x)y": must be a valid regular expression, but '
                  "isn't: error parsing regexp: invalid or unsupported Perl syntax: `(?=`"], id="lookahead"),
    pytest.param({"type": "object", "nullable": True},
                 [f"{P}.nullable: Forbidden: nullable cannot be true at the root"], id="nullable-root"),
])
def test_non_structural_schemas_are_refused(schema: Any, expected: list[str]) -> None:
    assert _messages(schema) == expected


def test_junctors_may_not_change_types_or_specify_generic_fields() -> None:
    schema = _obj(a={"type": "string", "anyOf": [{"type": "string", "default": "x", "description": "d",
                                                 "nullable": True, "x-kubernetes-preserve-unknown-fields": True}],
                     "allOf": [{"x-kubernetes-validations": [{"rule": "true"}], "pattern": "("}],
                     "not": {"properties": {"metadata": {"type": "object"}}}})
    assert _messages(schema) == [
        f"{P}.properties[a].allOf[0].pattern: Invalid value: \"(\": must be a valid regular expression, but isn't: "
        "error parsing regexp: missing closing ): `(`",
        f"{P}.properties[a].allOf[0].x-kubernetes-validations: Forbidden: must be empty to be structural",
        f"{P}.properties[a].anyOf[0].default: Forbidden: must be undefined to be structural",
        f"{P}.properties[a].anyOf[0].description: Forbidden: must be empty to be structural",
        f"{P}.properties[a].anyOf[0].nullable: Forbidden: must be false to be structural",
        f"{P}.properties[a].anyOf[0].type: Forbidden: must be empty to be structural",
        f"{P}.properties[a].anyOf[0].x-kubernetes-preserve-unknown-fields: Forbidden: must be false to be structural",
        f"{P}.properties[a].not.properties[metadata].type: Forbidden: must be empty to be structural",
        f"{P}.properties[a].not.properties[metadata]: Forbidden: must not be specified in a nested context",
    ]


def test_junctor_fields_must_be_specified_outside_the_junctors() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}},
              "anyOf": [{"properties": {"a": {"minLength": 1}}}, {"properties": {"b": {"minLength": 1}}}]}
    assert _messages(schema) == [
        f"{P}.properties[b]: Required value: because it is defined in {P}.anyOf[1].properties[b]"]


def test_the_int_or_string_patterns_may_carry_types() -> None:
    schema = _obj(a={"x-kubernetes-int-or-string": True, "anyOf": [{"type": "integer"}, {"type": "string"}]},
                  b={"x-kubernetes-int-or-string": True,
                     "allOf": [{"anyOf": [{"type": "integer"}, {"type": "string"}]}, {"pattern": "^[0-9]+$"}]})
    assert _messages(schema) == []


def test_root_metadata_may_only_constrain_name_and_generate_name() -> None:
    ok = _obj(metadata=_obj(name={"type": "string", "pattern": "^a"}, generateName={"type": "string"}))
    assert _messages(ok) == []
    bad = _obj(metadata=_obj(labels={"type": "object"}))
    assert _messages(bad) == [f"{P}.properties[metadata]: Forbidden: must not specify anything other than name and "
                              "generateName, but metadata is implicitly specified"]
    not_object = _obj(metadata={"type": "string"})
    assert f'{P}.properties[metadata].type: Invalid value: "string": must be object' in _messages(not_object)


def test_defaults_are_forbidden_in_top_level_metadata() -> None:
    schema = _obj(metadata={"type": "object", "default": {"name": "x"}})
    assert _messages(schema) == [f"{P}.properties[metadata].default: Forbidden: must not be set in top-level metadata"]


@pytest.mark.parametrize(("node", "expected"), [
    pytest.param({"type": "string", "x-kubernetes-list-type": "set"},
                 ['.type: Invalid value: "string": must be array if x-kubernetes-list-type is specified'],
                 id="list-type-on-string"),
    pytest.param({"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "bag"},
                 ['.x-kubernetes-list-type: Unsupported value: "bag": supported values: "atomic", "set", "map"'],
                 id="unknown-list-type"),
    pytest.param({"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "map",
                  "x-kubernetes-list-map-keys": ["name"]},
                 ['.items.type: Invalid value: "string": must be object if parent array\'s x-kubernetes-list-type '
                  "is map"], id="map-of-strings"),
    pytest.param({"type": "array", "items": _obj(name={"type": "string"}), "x-kubernetes-list-type": "map"},
                 [".x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map"],
                 id="map-without-keys"),
    pytest.param({"type": "array", "items": _obj(name={"type": "string"}), "x-kubernetes-list-type": "map",
                  "x-kubernetes-list-map-keys": ["name"]},
                 [".items.properties[name].default: Required value: this property is in x-kubernetes-list-map-keys, "
                  "so it must have a default or be a required property"], id="optional-key"),
    pytest.param({"type": "array", "items": _obj(name={"type": "object"}) | {"required": ["name"]},
                  "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name", "port"]},
                 ['.items.properties[name].type: Invalid value: "object": must be a scalar type if parent array\'s '
                  "x-kubernetes-list-type is map",
                  '.x-kubernetes-list-map-keys: Invalid value: ["name","port"]: entries must all be names of item '
                  "properties"], id="object-key-and-missing-key"),
    pytest.param({"type": "array", "items": {"type": "string"}, "x-kubernetes-list-map-keys": ["name"]},
                 [".x-kubernetes-list-type: Required value: must be map if x-kubernetes-list-map-keys is non-empty"],
                 id="keys-without-map"),
    pytest.param({"type": "array", "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                  "x-kubernetes-list-type": "set"},
                 [".items.x-kubernetes-map-type: Invalid value: null: must be atomic as item of a list with "
                  "x-kubernetes-list-type=set"], id="set-of-granular-objects"),
    pytest.param({"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string", "nullable": True}},
                 [".items.nullable: Forbidden: cannot be nullable when x-kubernetes-list-type is set"],
                 id="nullable-set-items"),
    pytest.param({"type": "array", "items": {"type": "string"}, "x-kubernetes-map-type": "atomic"},
                 ['.type: Invalid value: "array": must be object if x-kubernetes-map-type is specified'],
                 id="map-type-on-array"),
    pytest.param({"type": "object", "x-kubernetes-map-type": "deep"},
                 ['.x-kubernetes-map-type: Unsupported value: "deep": supported values: "atomic", "granular"'],
                 id="unknown-map-type"),
])
def test_list_and_map_extensions_are_checked(node: Any, expected: list[str]) -> None:
    assert _messages(_obj(field=node)) == [f"{P}.properties[field]{e}" for e in expected]


def test_embedded_resources_need_type_object_and_fields() -> None:
    schema = _obj(a={"x-kubernetes-embedded-resource": True, "x-kubernetes-preserve-unknown-fields": True},
                  b={"type": "object", "x-kubernetes-embedded-resource": True},
                  c={"type": "object", "x-kubernetes-embedded-resource": True,
                     "x-kubernetes-preserve-unknown-fields": True, "properties": {"kind": {"type": "integer"}}})
    assert _messages(schema) == [
        f'{P}.properties[a].type: Required value: must be object if x-kubernetes-embedded-resource is true',
        f"{P}.properties[b].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true "
        "without x-kubernetes-preserve-unknown-fields",
        f'{P}.properties[c].properties[kind].type: Invalid value: "integer": must be string',
    ]


def test_defaults_must_validate_and_be_pruned() -> None:
    schema = _obj(spec=_obj(replicas={"type": "integer", "default": "three"},
                            color={"type": "string", "enum": ["red"], "default": "pink"},
                            sub=_obj(a={"type": "string"}) | {"default": {"a": "x", "b": "y"}}))
    d = f"{P}.properties[spec].properties"
    assert _messages(schema) == [
        f'{d}[replicas].default: Invalid value: "string":  in body must be of type integer: "string"',
        f'{d}[color].default: Unsupported value: "pink": supported values: "red"',
        f'{d}[sub].default: Invalid value: {{"a":"x","b":"y"}}: must not have unknown fields',
    ]


def test_status_subresource_restricts_the_root() -> None:
    schema = {"type": "object", "properties": {"status": {"type": "object"}},
              "anyOf": [{"required": ["status"]}]}
    found = _messages(schema, status=True)
    assert len(found) == 1
    assert found[0].startswith(f"{P}: Invalid value: ")
    assert found[0].endswith("fields are allowed at the root of the schema if the status subresource is enabled")


def test_every_version_needs_a_schema_and_errors_name_their_version() -> None:
    crd = _crd(_obj(a={"type": "string"}))
    crd["spec"]["versions"].append({"name": "v2", "served": True, "storage": False})
    crd["spec"]["versions"].append({"name": "v3", "served": True, "storage": False,
                                    "schema": {"openAPIV3Schema": _obj(b={})}})
    found = validate_crd_schemas(crd)
    assert [str(e) for e in found] == [
        "spec.versions[1].schema.openAPIV3Schema: Required value",
        "spec.versions[2].schema.openAPIV3Schema.properties[b].type: Required value: must not be empty for "
        "specified object fields",
    ]
    assert all(isinstance(e, errors.FieldError) for e in found)
    assert errors.invalid("CustomResourceDefinition", "widgets.example.com", found).code == 422


def test_cel_rules_are_kept_through_the_checks() -> None:
    schema = _obj(spec=_obj(a={"type": "string"}) | {"x-kubernetes-validations": [{"rule": "self.a != ''"}]})
    assert _messages(schema) == []
    assert schema["properties"]["spec"]["x-kubernetes-validations"] == [{"rule": "self.a != ''"}]


def _schemas() -> Any:
    from hypothesis import strategies as st

    keys = st.sampled_from(["type", "properties", "items", "additionalProperties", "required", "enum", "default",
                            "anyOf", "allOf", "oneOf", "not", "pattern", "format", "nullable", "maxLength",
                            "x-kubernetes-int-or-string", "x-kubernetes-preserve-unknown-fields",
                            "x-kubernetes-embedded-resource", "x-kubernetes-list-type", "x-kubernetes-list-map-keys",
                            "x-kubernetes-map-type", "metadata", "spec", "name"])
    scalars = st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from(
        ["object", "string", "array", "integer", "map", "set", "atomic", "(", "^a$", "date-time", "name"])
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=5),
                        max_leaves=20)


def test_arbitrary_schemas_give_field_errors_never_exceptions() -> None:
    from hypothesis import given, settings

    @settings(max_examples=300, deadline=None)
    @given(_schemas())
    def check(schema: Any) -> None:
        for error in validate_crd_schemas(_crd(schema)):
            assert str(error).startswith("spec.versions[0].schema.openAPIV3Schema")

    check()


def test_schemas_with_wrongly_typed_keywords_do_not_decode() -> None:
    from gitplane.api.crd import decode_error

    assert decode_error(_obj(a={"type": "string"})) is None
    assert decode_error({"type": "object", "anyOf": True}) == (
        "json: cannot unmarshal bool into Go struct field JSONSchemaProps.spec.versions.schema.openAPIV3Schema.anyOf "
        "of type []v1.JSONSchemaProps")
    assert decode_error(_obj(a={"type": "object", "required": "name"})) == (
        "json: cannot unmarshal string into Go struct field "
        "JSONSchemaProps.spec.versions.schema.openAPIV3Schema.properties.required of type []string")
    assert _messages({"type": "object", "properties": []}) == [
        f'{P}: Invalid value: "": json: cannot unmarshal array into Go struct field '
        "JSONSchemaProps.spec.versions.schema.openAPIV3Schema.properties of type map[string]v1.JSONSchemaProps"]
