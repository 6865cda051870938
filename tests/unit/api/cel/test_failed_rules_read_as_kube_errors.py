"""A false rule is a field error worded as kube's: path, reason, the node's type and the message."""

from __future__ import annotations

from types import SimpleNamespace

import pytest


def test_default_message_names_the_rule(cel: SimpleNamespace) -> None:
    rules = cel.compiled({"rule": "self.minReplicas <= self.maxReplicas"})
    assert cel.messages(rules, {"spec": {"minReplicas": 3, "maxReplicas": 2}}) == [
        'spec: Invalid value: "object": failed rule: self.minReplicas <= self.maxReplicas']
    assert cel.messages(rules, {"spec": {"minReplicas": 1, "maxReplicas": 2}}) == []


def test_message_replaces_the_default(cel: SimpleNamespace) -> None:
    rules = cel.compiled({"rule": "self.minReplicas <= self.maxReplicas", "message": " min above max "})
    assert cel.messages(rules, {"spec": {"minReplicas": 3, "maxReplicas": 2}}) == [
        'spec: Invalid value: "object": min above max']


def test_message_expression_builds_the_message(cel: SimpleNamespace) -> None:
    rules = cel.compiled({"rule": "self.minReplicas <= self.maxReplicas", "message": "fixed",
                          "messageExpression": "'min ' + string(self.minReplicas) + ' > max'"})
    assert cel.messages(rules, {"spec": {"minReplicas": 3, "maxReplicas": 2}}) == [
        'spec: Invalid value: "object": min 3 > max']


@pytest.mark.parametrize("expression", ["self.name + 'x'", "''", "'a\\nb'", "self.name.substring(99)"])
def test_a_failing_or_unusable_message_expression_falls_back_to_the_message(cel: SimpleNamespace,
                                                                            expression: str) -> None:
    rules = cel.compiled({"rule": "false", "message": "fixed", "messageExpression": expression})
    assert cel.messages(rules, {"spec": {"minReplicas": 1}}) == ['spec: Invalid value: "object": fixed']


@pytest.mark.parametrize(("reason", "expected"), [
    ("FieldValueForbidden", "spec: Forbidden: no"),
    ("FieldValueRequired", "spec: Required value: no"),
    ("FieldValueDuplicate", 'spec: Duplicate value: "object"'),
    ("FieldValueInvalid", 'spec: Invalid value: "object": no'),
])
def test_reason_picks_the_error_type(cel: SimpleNamespace, reason: str, expected: str) -> None:
    rules = cel.compiled({"rule": "false", "message": "no", "reason": reason})
    assert cel.messages(rules, {"spec": {}}) == [expected]


def test_field_path_moves_the_error_to_the_field(cel: SimpleNamespace) -> None:
    rules = cel.compiled({"rule": "self.minReplicas <= self.maxReplicas", "fieldPath": ".minReplicas"})
    errors = rules.validate({"spec": {"minReplicas": 3, "maxReplicas": 2}})
    assert [e.field for e in errors] == ["spec.minReplicas"]


def test_runtime_errors_name_the_rule(cel: SimpleNamespace) -> None:
    rules = cel.compiled({"rule": "self.minReplicas / (self.maxReplicas - self.maxReplicas) > 0"},
                         minReplicas={"type": "integer"}, maxReplicas={"type": "integer"})
    assert cel.messages(rules, {"spec": {"minReplicas": 1, "maxReplicas": 1}}) == [
        'spec: Invalid value: "object": division by zero evaluating rule: '
        "self.minReplicas / (self.maxReplicas - self.maxReplicas) > 0"]
    missing = cel.compiled({"rule": "self.minReplicas > 0"})
    assert cel.messages(missing, {"spec": {}}) == [
        'spec: Invalid value: "object": no such key: minReplicas evaluating rule: self.minReplicas > 0']


def test_rules_on_nested_nodes_report_their_path(cel: SimpleNamespace) -> None:
    schema = {"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "items": {"type": "array", "items": {"type": "object", "properties": {"w": {"type": "integer"}},
                                              "x-kubernetes-validations": [{"rule": "self.w >= 0"}]}},
        "labels": {"type": "object", "additionalProperties": {
            "type": "string", "x-kubernetes-validations": [{"rule": "self.size() < 4"}]}}}}}}
    from gitplane.api.cel import compile_schema
    rules = compile_schema(schema)
    assert cel.messages(rules, {"spec": {"items": [{"w": 1}, {"w": -1}], "labels": {"a": "long!", "b": "ok"}}}) == [
        'spec.items[1]: Invalid value: "object": failed rule: self.w >= 0',
        'spec.labels[a]: Invalid value: "string": failed rule: self.size() < 4']


def test_root_rules_see_only_name_and_generate_name_of_metadata(cel: SimpleNamespace) -> None:
    from gitplane.api.cel import compile_schema
    schema = {"type": "object", "x-kubernetes-validations": [
        {"rule": "self.metadata.name.startsWith('x-') && self.metadata.size() == 1"}]}
    rules = compile_schema(schema)
    assert cel.messages(rules, {"metadata": {"name": "x-a", "namespace": "ns", "labels": {"a": "b"}}}) == []
    assert cel.messages(rules, {"metadata": {"name": "y"}}) == [
        "<nil>: Invalid value: \"object\": failed rule: self.metadata.name.startsWith('x-') && "
        "self.metadata.size() == 1"]


def test_null_values_are_not_validated(cel: SimpleNamespace) -> None:
    rules = cel.compiled({"rule": "false"})
    assert cel.messages(rules, {"spec": None}) == []


def test_overload_errors_at_runtime_read_as_kube() -> None:
    from gitplane.api.cel import compile_schema
    schema = {"type": "object", "properties": {"port": {
        "x-kubernetes-int-or-string": True, "x-kubernetes-validations": [{"rule": "self + 1 > 0"}]}}}
    assert [str(e) for e in compile_schema(schema, root=False).validate({"port": "a"})] == [
        "port: Invalid value: \"\": 'no such overload': call arguments did not match a supported operator, "
        "function or macro signature for rule: self + 1 > 0"]
