"""Schema-typed field checks: ``self.nope`` on an object without a ``nope`` property fails at CRD creation.

kube declares each schema node as a CEL object type, so selecting an undeclared field is a compile error
(``ERROR: <input>:1:5: undefined field 'nope'``). Here ``self``/``oldSelf`` are ``dyn``, so the check is done on
the text: every selection chain that starts at ``self`` or ``oldSelf`` (``self.spec.replicas``,
``has(self.spec.x)``) is walked down the schema; an object node with declared properties and neither
``additionalProperties`` nor ``x-kubernetes-preserve-unknown-fields`` must declare the next name. Chains through
comprehension variables (``self.items.all(i, i.nope)``) are not followed. Errors use the runtime's layout:

    ERROR: <input>:1:57: undefined field 'namespace'
     | <the rule>
     | ........................................................^
"""

from __future__ import annotations

from typing import Any

from gitplane.api.cel import lexer

# Fields every resource root (and every x-kubernetes-embedded-resource) has, whatever the schema says.
_CEL_SCALARS = {"string": "string", "integer": "int", "number": "double", "boolean": "bool"}
_ROOT_METADATA = {"type": "object", "properties": {"name": {"type": "string"}, "generateName": {"type": "string"}}}


def node_type(schema: dict[str, Any], resource_root: bool) -> dict[str, Any]:
    """The schema CEL sees at a node: at a resource root, ``metadata`` is only name and generateName."""
    if not resource_root:
        return schema
    properties = dict(schema.get("properties") or {})
    properties["metadata"] = _ROOT_METADATA
    properties.setdefault("apiVersion", {"type": "string"})
    properties.setdefault("kind", {"type": "string"})
    return {**schema, "properties": properties}


def _open(schema: dict[str, Any]) -> bool:
    """Does the node accept fields it does not declare (or is it not an object at all)?"""
    if schema.get("x-kubernetes-preserve-unknown-fields") is True or schema.get("x-kubernetes-int-or-string"):
        return True
    if schema.get("type") not in (None, "object"):
        return True
    return "additionalProperties" in schema or not schema.get("properties")


def caret(text: str, offset: int, message: str) -> str:
    """An error in the runtime's layout (1-based column, the source line and a caret under ``offset``)."""
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    line = text[line_start:] if line_end < 0 else text[line_start:line_end]
    number = text.count("\n", 0, offset) + 1
    column = offset - line_start
    return f"ERROR: <input>:{number}:{column + 1}: {message}\n | {line}\n | {'.' * column}^"


def undefined_fields(text: str, schema: dict[str, Any], resource_root: bool) -> list[str]:
    """One runtime-style error per selection of an undeclared field, in the order they appear."""
    errors: list[tuple[int, str]] = []
    for chain, _ in lexer.selections(text):
        node = node_type(schema, resource_root)
        for name, offset in chain:
            scalar = _CEL_SCALARS.get(str(node.get("type")))
            if scalar and not node.get("x-kubernetes-int-or-string") and not node.get("format"):
                errors.append((offset, caret(text, offset, f"type '{scalar}' does not support field selection")))
                break
            if _open(node):
                break
            child = (node.get("properties") or {}).get(name)
            if child is None:
                errors.append((offset, caret(text, offset, f"undefined field '{name}'")))
                break
            node = node_type(child, bool(child.get("x-kubernetes-embedded-resource")))
    return [message for _, message in sorted(errors)]
