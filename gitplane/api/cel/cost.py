"""Runtime cost of a rule, approximated: the C++ runtime behind ``cel_expr_python`` does not count it.

kube charges one unit per evaluation step, plus a share per element for functions over strings and lists, and
stops a rule past 1,000,000 units (``PerCallLimit``) and a whole object's validation past 100,000,000
(``RuntimeCELCostBudget``). gitplane estimates the same quantity from the rule's shape and the value's size:

    cost = operations * (1 + elements) ** loop_depth + string_functions * characters // 10

where ``operations`` counts the rule's tokens (about its syntax nodes), ``loop_depth`` is how deeply its
comprehension macros (``all``, ``exists``, ``exists_one``, ``map``, ``filter``) nest, ``elements`` is the number of
list items and map entries in ``self`` (and ``oldSelf``), and ``characters`` their total string length (kube
charges string traversal at 0.1 per character). A rule with no loop costs its operations, as in kube; nested
loops over large values grow as they do in kube. The estimate is made before evaluating, so a rule over the
limit is never run.
"""

from __future__ import annotations

from typing import Any

from gitplane.api.cel.lexer import Shape

PER_CALL_LIMIT = 1_000_000
RUNTIME_BUDGET = 100_000_000


def size(value: Any) -> tuple[int, int]:
    """(elements, characters) of a JSON value: list items and map entries, and string lengths."""
    elements = 0
    characters = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            elements += len(item)
            for key, child in item.items():
                characters += len(key)
                stack.append(child)
        elif isinstance(item, list):
            elements += len(item)
            stack.extend(item)
        elif isinstance(item, str):
            characters += len(item)
    return elements, characters


def estimate(shape: Shape, elements: int, characters: int) -> int:
    cost = shape.operations * (1 + elements) ** shape.loop_depth if shape.loop_depth else shape.operations
    return cost + shape.string_functions * characters // 10
