"""A rule's ``fieldPath``: a relative JSONPath-like path (``.spec.replicas``, ``.labels['app.kubernetes.io/x']``).

Checked once, at compile time, against the schema node the rule sits on: every step must name a declared
property (or any key of a map, i.e. ``additionalProperties``); numeric indexes are not allowed, as in kube. The
result is the list of steps, which the evaluator appends to the node's path when the rule fails:

    ".spec['a.b']" --parse()--> ["spec", "a.b"] --(node path "spec")--> error at "spec.spec.a.b"
"""

from __future__ import annotations

import re
from typing import Any

_STEP = re.compile(r"\.([A-Za-z_$][A-Za-z0-9_$-]*)|\['((?:[^'\\]|\\.)*)'\]")


class FieldPathError(ValueError):
    """The path is not valid; the message is kube's detail."""


def parse(path: str, schema: dict[str, Any]) -> list[str]:
    """The steps of ``path``, each checked to exist in ``schema``."""
    steps: list[str] = []
    position = 0
    while position < len(path):
        match = _STEP.match(path, position)
        if match is None:
            rest = path[position:]
            if rest.startswith("["):
                raise FieldPathError(f"expected single quoted string but got {rest[1:].partition(']')[0]}")
            raise FieldPathError(f"expected [ or . but got: {rest[0]}")
        name = match.group(1) if match.group(1) is not None else re.sub(r"\\(.)", r"\1", match.group(2))
        steps.append(name)
        position = match.end()
    if not steps:
        raise FieldPathError("fieldPath must not be empty")
    node: dict[str, Any] | None = schema
    for step in steps:
        node = _child(node, step)
        if node is None:
            raise FieldPathError("does not refer to a valid field")
    return steps


def _child(node: dict[str, Any] | None, name: str) -> dict[str, Any] | None:
    if node is None:
        return None
    properties = node.get("properties") or {}
    if name in properties:
        child: dict[str, Any] = properties[name]
        return child
    additional = node.get("additionalProperties")
    if isinstance(additional, dict):
        return additional
    if node.get("x-kubernetes-preserve-unknown-fields") is True:
        return {}
    return None
