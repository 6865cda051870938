"""The value-validation cases kube's own apiextensions tests pin down give the same error sets here.

Each case is a schema, objects it accepts, and objects it refuses with exactly the given errors (as a set,
since kube's order follows Go map iteration). The facts come from kube's ``pkg/apiserver/validation`` tests.
"""

from __future__ import annotations

from typing import Any

import pytest

from gitplane.api.crd import result, values


def _errors(schema: dict[str, Any], obj: Any) -> set[str]:
    return {str(e) for e in result.to_field_errors(values.validate_schema(schema, obj))}


def _field(node: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": {"field": node}}


INT_OR_STRING_ANY_OF = _field({"nullable": True, "x-kubernetes-int-or-string": True,
                               "anyOf": [{"type": "integer"}, {"type": "string"}]})
INT_OR_STRING_ALL_OF = _field({"nullable": True, "x-kubernetes-int-or-string": True,
                               "allOf": [{"anyOf": [{"type": "integer"}, {"type": "string"}]}]})
ANY_OF_FAILED = '<nil>: Invalid value: "": "field" must validate at least one schema (anyOf)'
ALL_OF_FAILED = '<nil>: Invalid value: "": "field" must validate all the schemas (allOf). None validated'
NUMERIC = {"type": "object", "properties": {
    "intThirtyTwo": {"type": "integer", "format": "int32"}, "intSixtyFour": {"type": "integer", "format": "int64"},
    "floatThreeTwo": {"type": "number", "format": "float"}, "floatSixFour": {"type": "number", "format": "double"}}}
MAX_FLOAT32 = 3.4028234663852886e38
INT32_RANGE = '<nil>: Invalid value: "": Checked value must be of type integer with format int32 in intThirtyTwo'
INT64_RANGE = '<nil>: Invalid value: "": Checked value must be of type integer with format int64 in intSixtyFour'
FLOAT_RANGE = '<nil>: Invalid value: "": Checked value must be of type number with format float in floatThreeTwo'


def _type_error(kind: str, types: str = "object", name: str = "field") -> str:
    return f'{name}: Invalid value: "{kind}": {name} in body must be of type {types}: "{kind}"'


CASES: list[Any] = [
    pytest.param(_field({"type": "object"}), [{}, {"field": {}}],
                 [({"field": "foo"}, {_type_error("string")}), ({"field": 42}, {_type_error("integer")}),
                  ({"field": True}, {_type_error("boolean")}), ({"field": 1.2}, {_type_error("number")}),
                  ({"field": []}, {_type_error("array")}), ({"field": None}, {_type_error("null")})],
                 id="not-nullable"),
    pytest.param(_field({"type": "object", "nullable": True}), [{"field": None}],
                 [({"field": "foo"}, {_type_error("string")}), ({"field": []}, {_type_error("array")})],
                 id="nullable"),
    pytest.param(_field({"nullable": True}),
                 [{}, {"field": {}}, {"field": None}, {"field": "foo"}, {"field": 42}, {"field": True},
                  {"field": 1.2}, {"field": []}], [], id="nullable-without-type"),
    pytest.param(_field({"x-kubernetes-int-or-string": True}), [{}, {"field": 42}, {"field": "foo"}],
                 [({"field": None}, {_type_error("null", "integer,string")}),
                  ({"field": True}, {_type_error("boolean", "integer,string")}),
                  ({"field": 1.2}, {_type_error("number", "integer,string")}),
                  ({"field": {}}, {_type_error("object", "integer,string")}),
                  ({"field": []}, {_type_error("array", "integer,string")})], id="int-or-string"),
    pytest.param(INT_OR_STRING_ANY_OF, [{}, {"field": None}, {"field": 42}, {"field": "foo"}],
                 [({"field": True}, {ANY_OF_FAILED, _type_error("boolean", "integer,string"),
                                     _type_error("boolean", "integer")}),
                  ({"field": 1.2}, {ANY_OF_FAILED, _type_error("number", "integer,string"),
                                    _type_error("number", "integer"),
                                    '<nil>: Invalid value: "": Checked value must be of type integer (default format) '
                                    "in field"}),
                  ({"field": {}}, {ANY_OF_FAILED, _type_error("object", "integer,string"),
                                   _type_error("object", "integer")})], id="int-or-string-any-of"),
    pytest.param(INT_OR_STRING_ALL_OF, [{}, {"field": None}, {"field": 42}, {"field": "foo"}],
                 [({"field": True}, {ALL_OF_FAILED, ANY_OF_FAILED, _type_error("boolean", "integer,string"),
                                     _type_error("boolean", "integer")}),
                  ({"field": []}, {ALL_OF_FAILED, ANY_OF_FAILED, _type_error("array", "integer,string"),
                                   _type_error("array", "integer")})], id="int-or-string-all-of"),
    pytest.param(_field({"type": "string", "pattern": "+"}), [],
                 [({"field": "foo"}, {"field: Invalid value: \"foo\": field in body should match '+, but pattern is "
                                      "invalid: error parsing regexp: missing argument to repetition operator: `+`'"})],
                 id="invalid-regex"),
    pytest.param({"type": "object", "required": ["field"],
                  "properties": {"field": {"type": "object", "required": ["nested"], "properties": {"nested": {}}}}},
                 [], [({"test": "a"}, {"field: Required value"}), ({"field": {}}, {"field.nested: Required value"})],
                 id="required"),
    pytest.param(_field({"type": "object", "required": ["nestedint", "nestedstring"], "properties": {
        "nestedint": {"type": "integer", "enum": [1, 2]}, "nestedstring": {"type": "string", "enum": ["a", "b"]}}}),
        [], [({"field": {}}, {"field.nestedint: Required value", "field.nestedstring: Required value"}),
             ({"field": {"nestedint": "x", "nestedstring": True}},
              {_type_error("string", "integer", "field.nestedint"),
               'field.nestedint: Unsupported value: "x": supported values: "1", "2"',
               _type_error("boolean", "string", "field.nestedstring"),
               'field.nestedstring: Unsupported value: true: supported values: "a", "b"'})], id="enum"),
    pytest.param({"type": "object", "properties": {"fieldX": {"type": "object", "maxProperties": 2}}}, [],
                 [({"fieldX": {"a": True, "b": True, "c": True}}, {"fieldX: Too many: 3: must have at most 2 items"})],
                 id="max-properties"),
    pytest.param({"type": "object", "properties": {"fieldX": {"type": "array", "items": {"type": "string"},
                                                              "maxItems": 2}}}, [],
                 [({"fieldX": ["a", "b", "c"]}, {"fieldX: Too many: 3: must have at most 2 items"})], id="max-items"),
    pytest.param({"type": "object", "properties": {"fieldX": {"type": "string", "maxLength": 2}}}, [],
                 [({"fieldX": "abc"}, {"fieldX: Too long: may not be more than 2 bytes"})], id="max-length"),
    pytest.param({"type": "object", "properties": {"fieldX": {"type": "string", "format": "k8s-long-name"}}}, [],
                 [({"fieldX": "a.-"}, {'fieldX: Invalid value: "a.-": fieldX in body must be of type k8s-long-name: '
                                       '"a.-"'})], id="k8s-long-name"),
    pytest.param({"type": "object", "properties": {"fieldX": {"type": "string", "format": "k8s-short-name"}}}, [],
                 [({"fieldX": "a-"}, {'fieldX: Invalid value: "a-": fieldX in body must be of type k8s-short-name: '
                                      '"a-"'})], id="k8s-short-name"),
    pytest.param(NUMERIC,
                 [{"intThirtyTwo": -(2**31), "intSixtyFour": -(2**63), "floatThreeTwo": -MAX_FLOAT32,
                   "floatSixFour": -1.7976931348623157e308},
                  {"intThirtyTwo": 0, "intSixtyFour": 0, "floatThreeTwo": 0.0, "floatSixFour": 0.0},
                  {"intThirtyTwo": 2**31 - 1, "intSixtyFour": 2**63 - 1, "floatThreeTwo": MAX_FLOAT32,
                   "floatSixFour": 1.7976931348623157e308}],
                 [({"intThirtyTwo": 2**31}, {INT32_RANGE}), ({"intThirtyTwo": -(2**31) - 1}, {INT32_RANGE}),
                  ({"intSixtyFour": float(2**63) * 1.1},
                   {_type_error("float64", "int64", "intSixtyFour"), INT64_RANGE}),
                  ({"floatThreeTwo": MAX_FLOAT32 * 1.1}, {FLOAT_RANGE}),
                  ({"floatThreeTwo": -MAX_FLOAT32 * 1.1}, {FLOAT_RANGE})], id="numeric-formats"),
]


@pytest.mark.parametrize(("schema", "accepted", "refused"), CASES)
def test_error_sets_match_kube(schema: dict[str, Any], accepted: list[Any],
                               refused: list[tuple[Any, set[str]]]) -> None:
    for obj in accepted:
        assert _errors(schema, obj) == set(), obj
    for obj, expected in refused:
        assert _errors(schema, obj) == expected, obj
