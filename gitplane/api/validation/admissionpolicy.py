"""ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding validation (kube's
``pkg/apis/admissionregistration/validation``) and the v1 defaults it relies on.

    policy    spec.failurePolicy Fail|Ignore; spec.matchConstraints with resourceRules (kube's rule checks),
              matchPolicy Exact|Equivalent, selectors; at least one validation or audit annotation; every CEL
              expression (validations, messageExpression, matchConditions, variables, audit annotation
              values) compiles, else
              ``spec.validations[0].expression: Invalid value: "...": compilation failed: ERROR: ...``
    binding   spec.policyName; spec.validationActions (Deny|Warn|Audit, no repeats, not Deny with Warn);
              spec.paramRef with name or selector (not both) and parameterNotFoundAction Allow|Deny;
              spec.matchResources as a policy's

``default_policy`` and ``default_binding`` apply kube's v1 defaulting (failure policy ``Fail``, match policy
``Equivalent``, empty selectors, rule scope ``*``), which runs at decoding, before validation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gitplane.api import errors, labels
from gitplane.api.cel import admission as cel
from gitplane.api.cel.environment import CompileError

Obj = Mapping[str, Any]
OPERATIONS = ("*", "CONNECT", "CREATE", "DELETE", "UPDATE")
SCOPES = ("*", "Cluster", "Namespaced")
REASONS = ("Forbidden", "Invalid", "RequestEntityTooLarge", "Unauthorized")
ACTIONS = ("Audit", "Deny", "Warn")
_RULE_LISTS = {"apiGroups": "API groups", "apiVersions": "API versions", "operations": "operations",
               "resources": ""}


def _default_match(match: Any) -> None:
    if not isinstance(match, dict):
        return
    match.setdefault("matchPolicy", "Equivalent")
    match.setdefault("namespaceSelector", {})
    match.setdefault("objectSelector", {})
    for key in ("resourceRules", "excludeResourceRules"):
        for rule in match.get(key) or []:
            if isinstance(rule, dict):
                rule.setdefault("scope", "*")


def default_policy(obj: dict[str, Any]) -> None:
    """kube's defaults; the spec is a struct in Go, so a policy without one gets one with its defaults."""
    if obj.get("spec") is None:
        obj["spec"] = {}
    spec = obj["spec"]
    if isinstance(spec, dict):
        spec.setdefault("failurePolicy", "Fail")
        _default_match(spec.get("matchConstraints"))


def default_binding(obj: dict[str, Any]) -> None:
    spec = obj.get("spec")
    if isinstance(spec, dict):
        _default_match(spec.get("matchResources"))


def _expression(text: Any, path: str, out: list[errors.FieldError]) -> None:
    if not text:
        out.append(errors.required(path))
        return
    try:
        cel.compile_expression(str(text))
    except CompileError as exc:
        out.append(errors.invalid_value(path, text, f"compilation failed: {exc}"))


def _rule(rule: Obj, path: str, out: list[errors.FieldError]) -> None:
    for key, what in _RULE_LISTS.items():
        values = rule.get(key) or []
        if not values:
            out.append(errors.required(f"{path}.{key}"))
        elif "*" in values and len(values) > 1 and what:
            out.append(errors.invalid_value(f"{path}.{key}", values,
                                            f"if '*' is present, must not specify other {what}"))
    for index, operation in enumerate(rule.get("operations") or []):
        if operation not in OPERATIONS:
            out.append(errors.not_supported(f"{path}.operations[{index}]", operation, OPERATIONS))
    for index, resource in enumerate(rule.get("resources") or []):
        if not resource:
            out.append(errors.required(f"{path}.resources[{index}]"))
    scope = rule.get("scope", "*")
    if scope not in SCOPES:
        out.append(errors.not_supported(f"{path}.scope", scope, SCOPES))


def validate_match(match: Obj, path: str, *, rules_required: bool) -> list[errors.FieldError]:
    out: list[errors.FieldError] = []
    if match.get("matchPolicy", "Equivalent") not in ("Equivalent", "Exact"):
        out.append(errors.not_supported(f"{path}.matchPolicy", match.get("matchPolicy"), ("Equivalent", "Exact")))
    for key in ("namespaceSelector", "objectSelector"):
        out.extend(labels.validate_label_selector(match.get(key), f"{path}.{key}"))
    if rules_required and not match.get("resourceRules"):
        out.append(errors.required(f"{path}.resourceRules"))
    for key in ("resourceRules", "excludeResourceRules"):
        for index, rule in enumerate(match.get(key) or []):
            _rule(rule if isinstance(rule, dict) else {}, f"{path}.{key}[{index}]", out)
    return out


def validate_policy(obj: Obj) -> list[errors.FieldError]:
    spec = obj.get("spec") or {}
    out: list[errors.FieldError] = []
    failure = spec.get("failurePolicy")
    if failure not in ("Fail", "Ignore"):
        out.append(errors.not_supported("spec.failurePolicy", failure, ("Fail", "Ignore")))
    match = spec.get("matchConstraints")
    if not match:
        out.append(errors.required("spec.matchConstraints"))
    else:
        out.extend(validate_match(match, "spec.matchConstraints", rules_required=True))
    param_kind = spec.get("paramKind")
    if param_kind is not None:
        for key in ("apiVersion", "kind"):
            if not param_kind.get(key):
                out.append(errors.required(f"spec.paramKind.{key}"))
    if not spec.get("validations") and not spec.get("auditAnnotations"):
        out.append(errors.required("spec.validations", "validations or auditAnnotations must contain at least one "
                                                       "item"))
    for index, condition in enumerate(spec.get("matchConditions") or []):
        path = f"spec.matchConditions[{index}]"
        if not condition.get("name"):
            out.append(errors.required(f"{path}.name"))
        _expression(condition.get("expression"), f"{path}.expression", out)
    for index, variable in enumerate(spec.get("variables") or []):
        path = f"spec.variables[{index}]"
        if not variable.get("name"):
            out.append(errors.required(f"{path}.name"))
        _expression(variable.get("expression"), f"{path}.expression", out)
    for index, validation in enumerate(spec.get("validations") or []):
        _validation(validation, f"spec.validations[{index}]", out)
    for index, annotation in enumerate(spec.get("auditAnnotations") or []):
        path = f"spec.auditAnnotations[{index}]"
        if not annotation.get("key"):
            out.append(errors.required(f"{path}.key"))
        _expression(annotation.get("valueExpression"), f"{path}.valueExpression", out)
    return out


def _validation(validation: Obj, path: str, out: list[errors.FieldError]) -> None:
    _expression(validation.get("expression"), f"{path}.expression", out)
    message = validation.get("message")
    if isinstance(message, str) and "\n" in message.strip():
        out.append(errors.invalid_value(f"{path}.message", message, "message must not contain line breaks"))
    if validation.get("messageExpression"):
        _expression(validation["messageExpression"], f"{path}.messageExpression", out)
    reason = validation.get("reason")
    if reason is not None and reason not in REASONS:
        out.append(errors.not_supported(f"{path}.reason", reason, REASONS))


def validate_binding(obj: Obj) -> list[errors.FieldError]:
    spec = obj.get("spec") or {}
    out: list[errors.FieldError] = []
    if not spec.get("policyName"):
        out.append(errors.required("spec.policyName"))
    actions = spec.get("validationActions") or []
    if not actions:
        out.append(errors.required("spec.validationActions"))
    seen: set[str] = set()
    for index, action in enumerate(actions):
        if action not in ACTIONS:
            out.append(errors.not_supported(f"spec.validationActions[{index}]", action, ACTIONS))
        elif action in seen:
            out.append(errors.duplicate(f"spec.validationActions[{index}]", action))
        seen.add(action)
    if {"Deny", "Warn"} <= seen:
        out.append(errors.invalid_value("spec.validationActions", actions,
                                        "must not contain both Deny and Warn (repeating the same validation "
                                        "failure information in the API response and headers serves no purpose)"))
    ref = spec.get("paramRef")
    if ref is not None:
        if ref.get("name") and ref.get("selector") is not None:
            out.append(errors.forbidden("spec.paramRef.name", "name and selector are mutually exclusive"))
        if not ref.get("name") and ref.get("selector") is None:
            out.append(errors.required("spec.paramRef", "one of name or selector must be specified"))
        out.extend(labels.validate_label_selector(ref.get("selector"), "spec.paramRef.selector"))
        action = ref.get("parameterNotFoundAction")
        if action is None:
            out.append(errors.required("spec.paramRef.parameterNotFoundAction"))
        elif action not in ("Allow", "Deny"):
            out.append(errors.not_supported("spec.paramRef.parameterNotFoundAction", action, ("Allow", "Deny")))
    match = spec.get("matchResources")
    if match:
        out.extend(validate_match(match, "spec.matchResources", rules_required=False))
    return out
