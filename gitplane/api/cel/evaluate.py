"""Evaluate a compiled rule tree against an object (and its old version): kube's field errors, budget included.

The walk follows the object and the rule tree together, depth first, a node's own rules before its children
(as kube does), pairing each value with its old value where kube can correlate them: object properties and map
entries by key, items of ``x-kubernetes-list-type: map`` lists by their keys, nothing for other lists. A null
value is never validated. For each rule:

    skip a transition rule without an old value --> estimate cost (``cost``) --> over the per-call limit or the
    remaining budget: kube's error, stop everything --> eval(self, oldSelf) --> error: "<err> evaluating rule:
    <rule>" --> false: the message (messageExpression, else message, else "failed rule: <rule>") under the
    rule's reason, at the node's path plus its fieldPath

Paths read as kube's ``field.Path``: ``spec.items[0].name``, map keys as ``spec.labels[app]``, the root as
``<nil>``. The value shown in ``Invalid value`` is the node's schema type (``"object"``), as kube shows it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gitplane.api import errors
from gitplane.api.cel import cost, environment

if TYPE_CHECKING:
    from gitplane.api.cel.rules import CompiledRule
    from gitplane.api.cel.schema_rules import RuleNode

MAX_MESSAGE_BYTES = 5 * 1024
OUT_OF_BUDGET = "validation failed due to running out of cost budget, no further validation rules will be run"
ROOT = "<nil>"

_ERROR_PREFIXES = ("UNKNOWN: ", "INVALID_ARGUMENT: ", "NOT_FOUND: ", "OUT_OF_RANGE: ", "INTERNAL: ",
                   "FAILED_PRECONDITION: ", "UNIMPLEMENTED: ")


class _Budget:
    __slots__ = ("remaining", "stopped")

    def __init__(self, total: int) -> None:
        self.remaining = total
        self.stopped = False

    def done(self) -> bool:
        return self.stopped


def validate(root: RuleNode, obj: Any, old: Any, path: str = "", budget: int = cost.RUNTIME_BUDGET
             ) -> list[errors.FieldError]:
    out: list[errors.FieldError] = []
    _visit(root, obj, old, path, budget=_Budget(budget), out=out)
    return out


def _child_path(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _visit(node: RuleNode, value: Any, old: Any, path: str, *, budget: _Budget, out: list[errors.FieldError]
           ) -> None:
    if value is None or budget.stopped:
        return
    if node.rules:
        _run_rules(node, value, old, path, budget=budget, out=out)
    if isinstance(value, dict):
        old_map = old if isinstance(old, dict) else {}
        if node.additional is not None:
            for key, child in value.items():
                _visit(node.additional, child, old_map.get(key), f"{path}[{key}]", budget=budget, out=out)
                if budget.done():
                    return
        for name, child_node in node.properties.items():
            if name in value:
                _visit(child_node, value[name], old_map.get(name), _child_path(path, name), budget=budget, out=out)
                if budget.done():
                    return
    elif isinstance(value, list) and node.items is not None:
        pair = _correlate(node.list_map_keys, old)
        for index, item in enumerate(value):
            _visit(node.items, item, pair(item), f"{path}[{index}]", budget=budget, out=out)
            if budget.done():
                return


def _correlate(keys: tuple[str, ...] | None, old: Any) -> Any:
    if keys is None or not isinstance(old, list):
        return lambda item: None
    by_key = {tuple(o.get(k) for k in keys): o for o in old if isinstance(o, dict)}
    return lambda item: by_key.get(tuple(item.get(k) for k in keys)) if isinstance(item, dict) else None


def _cel_value(node: RuleNode, value: Any) -> Any:
    """The value as CEL sees it (see ``values``): numbers as doubles, timestamps, restricted metadata."""
    return value if node.view is None else node.view(value)


def _run_rules(node: RuleNode, value: Any, old: Any, path: str, *, budget: _Budget,
               out: list[errors.FieldError]) -> None:
    where = path or ROOT
    if budget.remaining <= 0:
        out.append(errors.invalid_value(where, node.schema_type, OUT_OF_BUDGET))
        budget.stopped = True
        return
    self_value = _cel_value(node, value)
    old_value = _cel_value(node, old) if old is not None else None
    # oldSelf is converted only for nodes whose rules use it, and only under the name they read it by.
    plain_old = old_value if any(r.transition for r in node.rules) else None
    optional_old = old_value if any(r.optional_old_self for r in node.rules) else None
    data = environment.activation(self_value, plain_old, optional_old, has_old=old is not None)
    sizes: tuple[int, int] | None = None
    for rule in node.rules:
        if rule.transition and old is None:
            continue
        if sizes is None and (rule.shape.loop_depth or rule.shape.string_functions or rule.message_shape):
            elements, characters = cost.size(self_value)
            old_elements, old_characters = cost.size(old_value) if rule.transition else (0, 0)
            sizes = (elements + old_elements, characters + old_characters)
        spent = cost.estimate(rule.shape, *(sizes or (0, 0)))
        if spent > cost.PER_CALL_LIMIT:
            out.append(errors.invalid_value(where, node.schema_type,
                                            "'operation cancelled: actual cost limit exceeded': no further "
                                            "validation rules will be run due to call cost exceeds limit for "
                                            f"rule: {rule.error_string}"))
            budget.stopped = True
            return
        if spent > budget.remaining:
            out.append(errors.invalid_value(where, node.schema_type, OUT_OF_BUDGET))
            budget.stopped = True
            return
        budget.remaining -= spent
        result = rule.program.eval(data)
        if result.value() is True:  # only a CEL bool true gives Python True; an error's value is its status text
            continue
        if environment.is_error(result):
            out.append(errors.invalid_value(where, node.schema_type, _runtime_error(result.value(), rule)))
            continue
        message = _message(rule, data, sizes or (0, 0), budget)
        if budget.done():
            out.append(errors.invalid_value(where, node.schema_type, message))
            return
        out.append(_failure(rule, node, where, message))


def _runtime_error(raw: Any, rule: CompiledRule) -> str:
    text = str(raw)
    for prefix in _ERROR_PREFIXES:
        text = text.removeprefix(prefix)
    if text.startswith("No matching overloads") or text.startswith("no such overload"):
        return (f"'no such overload': call arguments did not match a supported operator, function or macro "
                f"signature for rule: {rule.error_string}")
    if text.startswith("Key not found in map"):
        text = "no such key: " + text.partition(":")[2].strip().strip('"')
    elif text == "divide by zero":
        text = "division by zero"
    elif text.startswith("No such field"):
        text = "no such key: " + text.partition(":")[2].strip().strip('"')
    return f"{text} evaluating rule: {rule.error_string}"


def _message(rule: CompiledRule, data: Any, sizes: tuple[int, int], budget: _Budget) -> str:
    if rule.message_program is None or rule.message_shape is None:
        return rule.default_message
    spent = cost.estimate(rule.message_shape, *sizes)
    if spent > budget.remaining:
        budget.stopped = True
        return ("messageExpression evaluation failed due to running out of cost budget, no further validation "
                "rules will be run")
    budget.remaining -= spent
    result = rule.message_program.eval(data)
    if not environment.is_string(result):
        return rule.default_message
    text = str(result.value()).strip()
    if not text or "\n" in text or len(text.encode()) > MAX_MESSAGE_BYTES:
        return rule.default_message
    return text


def _failure(rule: CompiledRule, node: RuleNode, where: str, message: str) -> errors.FieldError:
    target = where
    for step in rule.field_path:
        target = step if target == ROOT else f"{target}.{step}"
    if rule.reason == errors.FIELD_VALUE_FORBIDDEN:
        return errors.forbidden(target, message)
    if rule.reason == errors.FIELD_VALUE_REQUIRED:
        return errors.required(target, message)
    if rule.reason == errors.FIELD_VALUE_DUPLICATE:
        return errors.duplicate(target, node.schema_type)
    return errors.invalid_value(target, node.schema_type, message)
