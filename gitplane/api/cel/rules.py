"""One ``x-kubernetes-validations`` entry, compiled: the rule, its message expression, reason and fieldPath.

Compiling is done once per CRD schema (see ``schema_rules``); every problem kube reports at CRD creation is
collected as a field error under the entry's path, e.g.

    spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: Invalid value:
      apiextensions.ValidationRule{Rule:"self.nope > 0", ...}: compilation failed: ERROR: <input>:1:5: ...

A rule that names ``oldSelf`` is a transition rule: it runs only when an old value exists, unless
``optionalOldSelf`` is true, in which case it always runs and ``oldSelf`` is an optional (the text is rewritten
so that ``oldSelf`` reads ``__gp_has_old ? optional.of(__gp_old) : optional.none()``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from gitplane.api import errors, gosyntax
from gitplane.api.cel import environment, field_check, field_path, lexer
from gitplane.api.cel.lexer import Shape

REASONS = ("FieldValueInvalid", "FieldValueForbidden", "FieldValueRequired", "FieldValueDuplicate")
MAX_MESSAGE_LENGTH = 2048
_NEWLINES = re.compile(r"[\n\r]+")


@dataclass(frozen=True, slots=True)
class CompiledRule:
    rule: str
    message: str
    message_expression: str
    program: Any
    message_program: Any
    reason: str
    field_path: tuple[str, ...]
    transition: bool
    optional_old_self: bool
    shape: Shape
    message_shape: Shape | None

    @property
    def error_string(self) -> str:
        """kube's ``ruleErrorString``: the message if there is one, else the rule."""
        return self.message.strip() or self.rule.strip()

    @property
    def default_message(self) -> str:
        return self.message.strip() if self.message.strip() else f"failed rule: {self.rule.strip()}"


def go_syntax(entry: dict[str, Any]) -> str:
    """The entry as kube prints it (``%#v`` of ``apiextensions.ValidationRule``); a set pointer shows its value."""
    def quote(key: str) -> str:
        value = entry.get(key)
        return gosyntax.go_quote(value if isinstance(value, str) else "")
    reason = entry.get("reason")
    optional = entry.get("optionalOldSelf")
    reason_text = "nil" if reason is None else gosyntax.go_quote(str(reason))
    optional_text = "nil" if optional is None else ("true" if optional else "false")
    return (f"apiextensions.ValidationRule{{Rule:{quote('rule')}, Message:{quote('message')}, "
            f"MessageExpression:{quote('messageExpression')}, "
            f"Reason:(*apiextensions.FieldValueErrorReason)({reason_text}), FieldPath:{quote('fieldPath')}, "
            f"OptionalOldSelf:(*bool)({optional_text})}}")


def compile_rule(entry: dict[str, Any], schema: dict[str, Any], resource_root: bool, path: str,
                 uncorrelatable: str | None = None) -> tuple[CompiledRule | None, list[errors.FieldError]]:
    """Compile one entry found at ``path`` (``...x-kubernetes-validations[0]``) on the node ``schema``.

    ``uncorrelatable`` is the path of the nearest enclosing list whose items have no old counterpart (a list
    that is not ``x-kubernetes-list-type: map``), where kube forbids ``oldSelf``.
    """
    problems = _entry_problems(entry, path)
    if problems:
        return None, problems  # kube compiles nothing where the entry itself is malformed
    rendered = go_syntax(entry)

    def bad(child: str, detail: str) -> None:
        problems.append(errors.FieldError(errors.FIELD_VALUE_INVALID, f"{path}.{child}", f"{rendered}: {detail}"))

    rule = str(entry["rule"])
    message = str(entry.get("message") or "")
    message_expression = str(entry.get("messageExpression") or "")
    optional_old_self = entry.get("optionalOldSelf") is True
    transition = lexer.references(rule, environment.OLD_SELF)
    steps: tuple[str, ...] = ()
    if entry.get("fieldPath"):
        try:
            steps = tuple(field_path.parse(str(entry["fieldPath"]), schema))
        except field_path.FieldPathError as exc:
            problems.append(errors.invalid_value(f"{path}.fieldPath", entry["fieldPath"],
                                                 f"fieldPath must be a valid path: {exc}"))
            return None, problems
    program = _compile(rule, optional_old_self, schema, resource_root=resource_root, what="compilation failed",
                       bad=bad, child="rule")
    if program is not None and not environment.returns_bool_or_dyn(program):
        bad("rule", "cel expression must evaluate to a bool")
        program = None
    message_program = None
    if message_expression:
        message_program = _compile(message_expression, optional_old_self, schema, resource_root=resource_root,
                                   what="messageExpression compilation failed", bad=bad, child="messageExpression")
        if message_program is not None and not environment.returns_string_or_dyn(message_program):
            bad("messageExpression", "messageExpression must evaluate to a string")
            message_program = None
    if transition and uncorrelatable is not None:
        problems.append(errors.invalid_value(f"{path}.rule", rule, "oldSelf cannot be used on the uncorrelatable "
                                                                   f"portion of the schema within {uncorrelatable}"))
    if problems or program is None:
        return None, problems
    return CompiledRule(rule, message, message_expression, program, message_program,
                        str(entry.get("reason") or errors.FIELD_VALUE_INVALID), steps,
                        transition and not optional_old_self, optional_old_self, lexer.shape(rule),
                        lexer.shape(message_expression) if message_expression else None), []


def _entry_problems(entry: dict[str, Any], path: str) -> list[errors.FieldError]:
    """kube's checks of the entry's fields, made before any compiling."""
    problems: list[errors.FieldError] = []
    rule = entry.get("rule") if isinstance(entry.get("rule"), str) else ""
    message = entry.get("message") if isinstance(entry.get("message"), str) else ""
    assert isinstance(rule, str) and isinstance(message, str)
    if not rule.strip():
        problems.append(errors.required(f"{path}.rule", "rule is not specified"))
    elif message and not message.strip():
        problems.append(errors.invalid_value(f"{path}.message", message, "message must be non-empty if specified"))
    elif len(message) > MAX_MESSAGE_LENGTH:
        problems.append(errors.invalid_value(f"{path}.message", message[:10] + "...",
                                             f"message must have a maximum length of {MAX_MESSAGE_LENGTH} "
                                             "characters"))
    elif _NEWLINES.search(message.strip()):
        problems.append(errors.invalid_value(f"{path}.message", message, "message must not contain line breaks"))
    elif _NEWLINES.search(rule.strip()) and not message.strip():
        problems.append(errors.required(f"{path}.message", "message must be specified if rule contains line breaks"))
    expression = entry.get("messageExpression")
    if isinstance(expression, str) and expression and not expression.strip():
        problems.append(errors.required(f"{path}.messageExpression",
                                        "messageExpression must be non-empty if specified"))
    reason = entry.get("reason")
    if reason is not None and reason not in REASONS:
        problems.append(errors.not_supported(f"{path}.reason", reason, sorted(REASONS)))
    path_text = entry.get("fieldPath")
    if isinstance(path_text, str) and path_text and not path_text.strip():
        problems.append(errors.invalid_value(f"{path}.fieldPath", path_text,
                                             "fieldPath must be non-empty if specified"))
    if isinstance(path_text, str) and _NEWLINES.search(path_text):
        problems.append(errors.invalid_value(f"{path}.fieldPath", path_text, "fieldPath must not contain line breaks"))
    return problems


def _compile(text: str, optional_old_self: bool, schema: dict[str, Any], *, resource_root: bool, what: str,
             bad: Any, child: str) -> Any:
    undefined = field_check.undefined_fields(text, schema, resource_root)
    if undefined:
        bad(child, f"{what}: " + "\n".join(undefined))
        return None
    source = text
    if optional_old_self:
        source = lexer.replace_variable(text, environment.OLD_SELF, environment.OPTIONAL_OLD_SELF)
    try:
        return environment.compile_expression(source)
    except environment.CompileError as exc:
        bad(child, f"{what}: {exc}")
        return None
