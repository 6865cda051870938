"""Bad rules are reported at CRD registration with kube's path and wording."""

from __future__ import annotations

from types import SimpleNamespace

from gitplane.api.cel import compile_schema

PREFIX = "spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[0]"


def test_undefined_field_is_a_compile_error_with_a_caret(cel: SimpleNamespace) -> None:
    rule = "self.name != 'secret' || has(self.namespace)"
    result = compile_schema(cel.spec_schema({"rule": rule, "message": "ns required"}))
    assert [str(e) for e in result.errors] == [
        f'{PREFIX}.rule: Invalid value: apiextensions.ValidationRule{{Rule:"{rule}", Message:"ns required", '
        'MessageExpression:"", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", '
        "OptionalOldSelf:(*bool)(nil)}: compilation failed: ERROR: <input>:1:29: undefined field 'namespace'\n"
        f" | {rule}\n | {'.' * 28}^"]
    assert result.root is None


def test_syntax_and_unknown_function_errors_come_from_the_compiler(cel: SimpleNamespace) -> None:
    result = compile_schema(cel.spec_schema({"rule": "self.name.nope()"}, {"rule": "self.name =="}))
    details = [e.detail for e in result.errors]
    assert "compilation failed: ERROR: <input>:1:15: undeclared reference to 'nope'" in details[0]
    assert "compilation failed: ERROR: <input>:1:13: Syntax error" in details[1]
    assert [e.field for e in result.errors] == [f"{PREFIX}.rule", PREFIX.replace("[0]", "[1]") + ".rule"]


def test_a_rule_must_be_boolean(cel: SimpleNamespace) -> None:
    result = compile_schema(cel.spec_schema({"rule": "self.name"}, name={"type": "string"}))
    assert result.errors == ()
    result = compile_schema(cel.spec_schema({"rule": "'a' + 'b'"}))
    assert result.errors[0].detail.endswith("}: cel expression must evaluate to a bool")


def test_message_expression_errors_are_reported_on_it(cel: SimpleNamespace) -> None:
    result = compile_schema(cel.spec_schema({"rule": "true", "messageExpression": "1 + 2"},
                                            {"rule": "true", "messageExpression": "'a' +"}))
    assert [e.field for e in result.errors] == [f"{PREFIX}.messageExpression",
                                                PREFIX.replace("[0]", "[1]") + ".messageExpression"]
    assert result.errors[1].detail.split(": ", 1)[1].startswith("messageExpression compilation failed: ERROR:")


def test_reason_and_field_path_are_checked(cel: SimpleNamespace) -> None:
    result = compile_schema(cel.spec_schema({"rule": "true", "reason": "Nope"},
                                            {"rule": "true", "fieldPath": ".nope"},
                                            {"rule": "true", "fieldPath": "[0]"}))
    assert str(result.errors[0]) == (
        f'{PREFIX}.reason: Unsupported value: "Nope": supported values: "FieldValueDuplicate", '
        '"FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"')
    assert [str(e).split(".x-kubernetes-validations")[1] for e in result.errors[1:]] == [
        '[1].fieldPath: Invalid value: ".nope": fieldPath must be a valid path: does not refer to a valid field',
        '[2].fieldPath: Invalid value: "[0]": fieldPath must be a valid path: expected single quoted string but '
        "got 0"]


def test_malformed_entries_are_reported_before_compiling(cel: SimpleNamespace) -> None:
    result = compile_schema(cel.spec_schema({"rule": " "}, {"rule": "self.nope", "message": "  "},
                                            {"rule": "true ||\nfalse"}, {"rule": "true", "messageExpression": " "},
                                            {"rule": "true", "message": "a\nb"}))
    assert [str(e).split(".x-kubernetes-validations")[1] for e in result.errors] == [
        "[0].rule: Required value: rule is not specified",
        '[1].message: Invalid value: "  ": message must be non-empty if specified',
        "[2].message: Required value: message must be specified if rule contains line breaks",
        "[3].messageExpression: Required value: messageExpression must be non-empty if specified",
        '[4].message: Invalid value: "a\\nb": message must not contain line breaks']


def test_old_self_is_forbidden_under_lists_without_keys() -> None:
    schema = {"type": "object", "properties": {"tags": {"type": "array", "items": {
        "type": "string", "x-kubernetes-validations": [{"rule": "self == oldSelf"}]}}}}
    assert [str(e) for e in compile_schema(schema).errors] == [
        "spec.validation.openAPIV3Schema.properties[tags].items.x-kubernetes-validations[0].rule: Invalid value: "
        '"self == oldSelf": oldSelf cannot be used on the uncorrelatable portion of the schema within '
        "spec.validation.openAPIV3Schema.properties[tags].items"]


def test_selecting_a_field_of_a_scalar_is_a_compile_error(cel: SimpleNamespace) -> None:
    result = compile_schema(cel.spec_schema({"rule": "self.name.x == 1"}))
    assert "type 'string' does not support field selection" in result.errors[0].detail


def test_open_objects_accept_any_field(cel: SimpleNamespace) -> None:
    schema = {"type": "object", "properties": {"spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": True,
                                                        "x-kubernetes-validations": [{"rule": "self.any.thing > 1"}]}}}
    assert compile_schema(schema).errors == ()
