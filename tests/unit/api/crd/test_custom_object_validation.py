"""Custom objects are validated against their schema with every bad field named, in kube-openapi's words."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from gitplane.api import errors
from gitplane.api.crd import validate_object, validate_status


def _schema(**spec_props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": {"spec": {"type": "object", "properties": spec_props}}}


def _messages(spec_props: dict[str, Any], spec: Any) -> list[str]:
    return [str(e) for e in validate_object({"apiVersion": "example.com/v1", "kind": "Widget",
                                             "spec": spec}, _schema(**spec_props))]


@pytest.mark.parametrize(("prop", "value", "expected"), [
    pytest.param({"type": "integer"}, "3",
                 ['spec.a: Invalid value: "string": spec.a in body must be of type integer: "string"'], id="string"),
    pytest.param({"type": "integer"}, 3.0, [], id="integral-float-is-integer"),
    pytest.param({"type": "integer"}, 1.5,
                 ['spec.a: Invalid value: "number": spec.a in body must be of type integer: "number"',
                  '<nil>: Invalid value: "": Checked value must be of type integer (default format) in spec.a'],
                 id="fraction"),
    pytest.param({"type": "number"}, 3, [], id="integer-is-number"),
    pytest.param({"type": "boolean"}, "true",
                 ['spec.a: Invalid value: "string": spec.a in body must be of type boolean: "string"'], id="bool"),
    pytest.param({"type": "string"}, None,
                 ['spec.a: Invalid value: "null": spec.a in body must be of type string: "null"'], id="null"),
    pytest.param({"type": "string", "nullable": True}, None, [], id="nullable"),
    pytest.param({"type": "object"}, [], ['spec.a: Invalid value: "array": spec.a in body must be of type object: '
                                          '"array"'], id="array-for-object"),
    pytest.param({"x-kubernetes-int-or-string": True}, True,
                 ['spec.a: Invalid value: "boolean": spec.a in body must be of type integer,string: "boolean"'],
                 id="int-or-string"),
    pytest.param({"type": "string", "enum": ["red", "blue"]}, "pink",
                 ['spec.a: Unsupported value: "pink": supported values: "red", "blue"'], id="enum"),
    pytest.param({"type": "integer", "enum": [1, 2]}, 3,
                 ['spec.a: Unsupported value: 3: supported values: "1", "2"'], id="int-enum"),
    pytest.param({"type": "string", "maxLength": 3}, "abcd", ["spec.a: Too long: may not be more than 3 bytes"],
                 id="max-length"),
    pytest.param({"type": "string", "maxLength": 3}, "äöü", [], id="length-in-runes"),
    pytest.param({"type": "string", "minLength": 2}, "a",
                 ['spec.a: Invalid value: "a": spec.a in body should be at least 2 chars long'], id="min-length"),
    pytest.param({"type": "string", "pattern": "^[a-z]+$"}, "ab1",
                 ["spec.a: Invalid value: \"ab1\": spec.a in body should match '^[a-z]+$'"], id="pattern"),
    pytest.param({"type": "string", "pattern": "^a$"}, "a\n",
                 ["spec.a: Invalid value: \"a\\n\": spec.a in body should match '^a$'"], id="go-dollar"),
    pytest.param({"type": "string", "pattern": r"^\pL+$"}, "héllo", [], id="unicode-class"),
    pytest.param({"type": "integer", "minimum": 1, "maximum": 5}, 7,
                 ["spec.a: Invalid value: 7: spec.a in body should be less than or equal to 5"], id="maximum"),
    pytest.param({"type": "integer", "minimum": 1, "exclusiveMinimum": True}, 1,
                 ["spec.a: Invalid value: 1: spec.a in body should be greater than 1"], id="exclusive-minimum"),
    pytest.param({"type": "number", "maximum": 1.5, "exclusiveMaximum": True}, 1.5,
                 ["spec.a: Invalid value: 1.5: spec.a in body should be less than 1.5"], id="exclusive-maximum"),
    pytest.param({"type": "integer", "multipleOf": 5}, 12,
                 ["spec.a: Invalid value: 12: spec.a in body should be a multiple of 5"], id="multiple-of"),
    pytest.param({"type": "number", "multipleOf": 0.5}, 1.25,
                 ["spec.a: Invalid value: 1.25: spec.a in body should be a multiple of 0.5"], id="multiple-of-float"),
    pytest.param({"type": "integer", "format": "int32"}, 2**31,
                 ['<nil>: Invalid value: "": Checked value must be of type integer with format int32 in spec.a'],
                 id="int32-range"),
    pytest.param({"type": "string", "format": "date-time"}, "yesterday",
                 ['spec.a: Invalid value: "yesterday": spec.a in body must be of type date-time: "yesterday"'],
                 id="date-time"),
    pytest.param({"type": "string", "format": "ipv4"}, "1.2.3.400",
                 ['spec.a: Invalid value: "1.2.3.400": spec.a in body must be of type ipv4: "1.2.3.400"'], id="ipv4"),
    pytest.param({"type": "string", "format": "no-such-format"}, "anything", [], id="unknown-format-ignored"),
    pytest.param({"type": "array", "items": {"type": "string"}, "maxItems": 1}, ["a", "b"],
                 ["spec.a: Too many: 2: must have at most 1 item"], id="max-items"),
    pytest.param({"type": "array", "items": {"type": "string"}, "minItems": 2}, ["a"],
                 ["spec.a: Invalid value: 1: spec.a in body should have at least 2 items"], id="min-items"),
    pytest.param({"type": "object", "maxProperties": 1, "additionalProperties": {"type": "string"}},
                 {"x": "1", "y": "2"}, ["spec.a: Too many: 2: must have at most 1 item"], id="max-properties"),
    pytest.param({"type": "object", "minProperties": 1, "additionalProperties": {"type": "string"}}, {},
                 ["spec.a: Invalid value: 0: spec.a in body should have at least 1 properties"], id="min-properties"),
    pytest.param({"type": "object", "additionalProperties": {"type": "integer"}}, {"x": "1"},
                 ['spec.a.x: Invalid value: "string": spec.a.x in body must be of type integer: "string"'],
                 id="additional-properties"),
])
def test_each_value_validation_fails_as_kube_words_it(prop: Any, value: Any, expected: list[str]) -> None:
    assert _messages({"a": prop}, {"a": value}) == expected


def test_every_bad_field_is_reported_at_once() -> None:
    props = {"replicas": {"type": "integer"}, "color": {"type": "string", "enum": ["red", "blue"]},
             "name": {"type": "string"},
             "items": {"type": "array", "items": {"type": "object", "required": ["id"],
                                                  "properties": {"id": {"type": "integer"}}}}}
    schema = _schema(**props)
    schema["properties"]["spec"]["required"] = ["name"]
    found = validate_object({"spec": {"replicas": "string", "color": "pink", "items": [{"id": 1}, {}]}}, schema)
    assert [str(e) for e in found] == [
        'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
        'spec.color: Unsupported value: "pink": supported values: "red", "blue"',
        "spec.items[1].id: Required value",
        "spec.name: Required value",
    ]
    error = errors.invalid("Widget", "w1", found, group="example.com")
    assert error.code == 422
    assert error.message.startswith('Widget.example.com "w1" is invalid: [spec.replicas: Invalid value: "string"')
    assert [c["reason"] for c in error.details["causes"]] == [
        "FieldValueTypeInvalid", "FieldValueNotSupported", "FieldValueRequired", "FieldValueRequired"]


def test_junctors_report_their_failure_and_the_best_branch() -> None:
    prop = {"x-kubernetes-int-or-string": True, "anyOf": [{"type": "integer"}, {"type": "string"}]}
    assert _messages({"cpu": prop}, {"cpu": 0.5}) == [
        'spec.cpu: Invalid value: "number": spec.cpu in body must be of type integer,string: "number"',
        '<nil>: Invalid value: "": "spec.cpu" must validate at least one schema (anyOf)',
        'spec.cpu: Invalid value: "number": spec.cpu in body must be of type integer: "number"',
        '<nil>: Invalid value: "": Checked value must be of type integer (default format) in spec.cpu',
    ]
    one_of = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
              "oneOf": [{"required": ["a"]}, {"required": ["b"]}]}
    assert _messages({"x": one_of}, {"x": {"a": "1", "b": "2"}}) == [
        '<nil>: Invalid value: "": "spec.x" must validate one and only one schema (oneOf). Found 2 valid alternatives']
    assert _messages({"x": one_of}, {"x": {"a": "1"}}) == []
    not_schema = {"type": "string", "not": {"enum": ["forbidden"]}}
    assert _messages({"x": not_schema}, {"x": "forbidden"}) == [
        '<nil>: Invalid value: "": "spec.x" must not validate the schema (not)']
    all_of = {"type": "string", "allOf": [{"minLength": 2}, {"maxLength": 3}]}
    assert _messages({"x": all_of}, {"x": "abcd"}) == [
        "spec.x: Too long: may not be more than 3 bytes",
        '<nil>: Invalid value: "": "spec.x" must validate all the schemas (allOf)']


def test_list_sets_and_maps_refuse_duplicates() -> None:
    props = {"tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
             "ports": {"type": "array", "x-kubernetes-list-type": "map",
                       "x-kubernetes-list-map-keys": ["name", "protocol"],
                       "items": {"type": "object", "required": ["name", "protocol"],
                                 "properties": {"name": {"type": "string"}, "protocol": {"type": "string"}}}}}
    spec = {"tags": ["a", "b", "a", "a"],
            "ports": [{"name": "http", "protocol": "TCP"}, {"name": "http", "protocol": "UDP"},
                      {"name": "http", "protocol": "TCP"}]}
    assert _messages(props, spec) == [
        'spec.tags[2]: Duplicate value: "a"',
        'spec.ports[2]: Duplicate value: {"name":"http","protocol":"TCP"}',
    ]


def test_embedded_resources_have_their_type_and_metadata_validated() -> None:
    props = {"template": {"type": "object", "x-kubernetes-embedded-resource": True,
                          "x-kubernetes-preserve-unknown-fields": True}}
    assert _messages(props, {"template": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ok"}}}) == []
    found = _messages(props, {"template": {"apiVersion": "a/b/c", "metadata": {"name": "a/b"}}})
    assert found == ["spec.template.kind: Required value",
                     'spec.template.apiVersion: Invalid value: "a/b/c": unexpected GroupVersion string: a/b/c',
                     "spec.template.metadata.name: Invalid value: \"a/b\": may not contain '/'"]
    kind = _messages(props, {"template": {"apiVersion": "v1", "kind": "Config Map"}})
    assert kind[0].startswith('spec.template.kind: Invalid value: "Config Map": may have mixed case, but should '
                              "otherwise match: a DNS-1035 label must consist of")


def test_status_is_validated_under_status() -> None:
    schema = {"type": "object", "properties": {"status": {"type": "object", "required": ["phase"],
                                                          "properties": {"phase": {"type": "string"}}}}}
    assert [str(e) for e in validate_status({"status": {}}, schema)] == ["status.phase: Required value"]
    assert [str(e) for e in validate_status({"status": {"phase": 1}}, schema)] == [
        'status.phase: Invalid value: "integer": phase in body must be of type string: "integer"']


def test_embedded_metadata_that_does_not_decode_is_invalid_as_a_whole() -> None:
    props = {"template": {"type": "object", "x-kubernetes-embedded-resource": True,
                          "x-kubernetes-preserve-unknown-fields": True}}
    cases = [
        ({"labels": "x"}, 'spec.template.metadata: Invalid value: {"labels":"x"}: json: cannot unmarshal string into '
                          "Go struct field ObjectMeta.labels of type map[string]string"),
        ({"generation": "1"}, 'spec.template.metadata: Invalid value: {"generation":"1"}: json: cannot unmarshal '
                              "string into Go struct field ObjectMeta.generation of type int64"),
        ("meta", 'spec.template.metadata: Invalid value: "meta": json: cannot unmarshal string into Go value of type '
                 "v1.ObjectMeta"),
    ]
    for metadata, message in cases:
        assert _messages(props, {"template": {"apiVersion": "v1", "kind": "A", "metadata": metadata}}) == [message]


def test_updates_ratchet_values_the_client_left_unchanged() -> None:
    schema = _schema(name={"type": "string", "maxLength": 3}, size={"type": "integer", "maximum": 5},
                     ports={"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                            "items": {"type": "object", "required": ["name"], "properties": {
                                "name": {"type": "string"}, "port": {"type": "integer", "maximum": 100}}}},
                     tags={"type": "array", "items": {"type": "string", "maxLength": 2}})
    old = {"spec": {"name": "toolong", "size": 9, "ports": [{"name": "a", "port": 500}, {"name": "b", "port": 1}],
                    "tags": ["long"]}}
    same = copy.deepcopy(old)
    same["spec"]["ports"].reverse()
    assert validate_object(same, schema, old) == []
    assert [str(e) for e in validate_object(same, schema)] == [
        "spec.name: Too long: may not be more than 3 bytes",
        "spec.size: Invalid value: 9: spec.size in body should be less than or equal to 5",
        "spec.ports[1].port: Invalid value: 500: spec.ports[1].port in body should be less than or equal to 100",
        "spec.tags[0]: Too long: may not be more than 2 bytes",
    ]
    changed = copy.deepcopy(old)
    changed["spec"]["size"] = 8
    changed["spec"]["ports"][0]["port"] = 400
    changed["spec"]["tags"].append("ok")
    assert [str(e) for e in validate_object(changed, schema, old)] == [
        "spec.size: Invalid value: 8: spec.size in body should be less than or equal to 5",
        "spec.ports[0].port: Invalid value: 400: spec.ports[0].port in body should be less than or equal to 100",
        "spec.tags[0]: Too long: may not be more than 2 bytes",
    ]


def test_list_duplicates_already_stored_do_not_block_an_update() -> None:
    props = {"tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
             "note": {"type": "string"}}
    old = {"spec": {"tags": ["a", "a"]}}
    new = {"spec": {"tags": ["a", "a"], "note": "x"}}
    assert validate_object(new, _schema(**props), old) == []
    assert [str(e) for e in validate_object(new, _schema(**props), {"spec": {}})] == [
        'spec.tags[1]: Duplicate value: "a"']
