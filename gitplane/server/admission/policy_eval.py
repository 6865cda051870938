"""One ValidatingAdmissionPolicy compiled, and its evaluation against one write with one set of params.

Compiled once per stored generation of the policy (:func:`compile_policy`): its match constraints, its
matchConditions, variables and validations as checked CEL programs. Evaluating (:meth:`CompiledPolicy.evaluate`)
follows kube's validator:

    matchConditions, all           one false: the policy does not apply; else one failed: the failure policy
                                   decides (Fail: a failure, Ignore: the policy does not apply)
    variables, in order            each sees the ones before it as ``variables.<name>``; one that fails is left
                                   out, so only an expression that reads it fails (kube evaluates them lazily)
    validations, in order          false: a failure, with ``messageExpression``'s string (when it gives a
                                   non-blank single line), else ``message``, else
                                   ``failed expression: <expression>``, and the validation's reason
                                   (Invalid when unset); an error: ``expression '<e>' resulted in error: <err>``,
                                   which the failure policy turns into a failure (Fail) or nothing (Ignore)

The result is the list of failures; the plugin turns each into the binding's actions (deny, warn, audit).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gitplane.api import errors
from gitplane.api.cel import admission as cel
from gitplane.api.cel.environment import CompileError
from gitplane.server.admission.policy_match import Match

DEFAULT_REASON = "Invalid"
MAX_MESSAGE_BYTES = 5 * 1024


@dataclass(frozen=True, slots=True)
class Failure:
    message: str
    reason: str


@dataclass(frozen=True, slots=True)
class _Validation:
    expression: str
    program: Any
    message: str
    message_program: Any
    reason: str


@dataclass(frozen=True, slots=True)
class ParamKind:
    group: str
    version: str
    kind: str


class NotApplicable(Exception):
    """A matchCondition was false: the policy does not apply to this write."""


@dataclass(frozen=True, slots=True)
class CompiledPolicy:
    name: str
    generation: int
    fail_closed: bool
    match: Match
    param_kind: ParamKind | None
    conditions: tuple[Any, ...]
    variables: tuple[tuple[str, Any], ...]
    validations: tuple[_Validation, ...]
    error: str
    """Why the stored policy cannot be used (a CEL expression that does not compile); empty when it can."""

    def evaluate(self, values: Mapping[str, Any]) -> list[Failure]:
        """The failures of one write (``values``: object, oldObject, request, params, namespaceObject).

        Raises:
            NotApplicable: a match condition is false (or failed, under failurePolicy Ignore).
        """
        if self.error:
            return self._on_error(self.error)
        data: dict[str, Any] = {**values, "variables": {}}
        if self.conditions:
            condition_data = cel.activation(data)
            outcomes = [cel.evaluate(program, condition_data) for program in self.conditions]
            if any(error is None and result is not True for result, error in outcomes):
                raise NotApplicable
            failed = next((error for _, error in outcomes if error is not None), None)
            if failed is not None:
                if self.fail_closed:
                    return [Failure(f"failed to evaluate matchConditions for policy {self.name}: {failed}",
                                    DEFAULT_REASON)]
                raise NotApplicable
        computed: dict[str, Any] = {}
        for name, program in self.variables:
            result, error = cel.evaluate(program, cel.activation({**data, "variables": dict(computed)}))
            if error is None:
                computed[name] = result
        data["variables"] = computed
        activation = cel.activation(data)
        failures: list[Failure] = []
        for validation in self.validations:
            result, error = cel.evaluate(validation.program, activation)
            if error is not None:
                failures.extend(self._on_error(f"expression '{validation.expression}' resulted in error: {error}"))
            elif result is not True:
                failures.append(Failure(_message(validation, activation), validation.reason))
        return failures

    def _on_error(self, message: str) -> list[Failure]:
        return [Failure(message, DEFAULT_REASON)] if self.fail_closed else []


def _message(validation: _Validation, activation: Any) -> str:
    if validation.message_program is not None:
        result, error = cel.evaluate(validation.message_program, activation)
        text = result.strip() if error is None and isinstance(result, str) else ""
        if text and "\n" not in text and len(text.encode()) <= MAX_MESSAGE_BYTES:
            return text
    return validation.message or f"failed expression: {validation.expression}"


def _param_kind(spec: Mapping[str, Any]) -> ParamKind | None:
    kind = spec.get("paramKind")
    if not kind:
        return None
    group, _, version = str(kind.get("apiVersion") or "").rpartition("/")
    return ParamKind(group, version, str(kind.get("kind") or ""))


def compile_policy(obj: Mapping[str, Any]) -> CompiledPolicy:
    """Compile a stored policy; an expression that does not compile makes the whole policy an error."""
    meta, spec = obj.get("metadata") or {}, obj.get("spec") or {}
    name, generation = str(meta.get("name") or ""), int(meta.get("generation") or 0)
    fail_closed = spec.get("failurePolicy", "Fail") != "Ignore"
    try:
        match = Match.parse(spec.get("matchConstraints"))
        conditions = tuple(cel.compile_expression(str(c.get("expression") or ""))
                           for c in spec.get("matchConditions") or ())
        variables = tuple((str(v.get("name")), cel.compile_expression(str(v.get("expression") or "")))
                          for v in spec.get("variables") or ())
        validations = tuple(_compile_validation(v) for v in spec.get("validations") or ())
    except (CompileError, errors.APIError) as exc:
        return CompiledPolicy(name, generation, fail_closed, Match.parse(None), None, (), (), (),
                              f"policy {name!r} cannot be compiled: {exc}")
    return CompiledPolicy(name, generation, fail_closed, match, _param_kind(spec), conditions, variables,
                          validations, "")


def _compile_validation(validation: Mapping[str, Any]) -> _Validation:
    expression = str(validation.get("expression") or "")
    message_expression = validation.get("messageExpression")
    return _Validation(expression, cel.compile_expression(expression), str(validation.get("message") or "").strip(),
                       cel.compile_expression(message_expression) if message_expression else None,
                       str(validation.get("reason") or DEFAULT_REASON))
