"""The CEL environment of admission policy expressions (ValidatingAdmissionPolicy): kube's variables and the
same libraries CRD rules have.

Expressions see ``object``, ``oldObject``, ``request``, ``params``, ``namespaceObject`` and ``variables``, all
``dyn`` (kube types them from the matched resource's schema; here field errors show at evaluation, as a
``no such key`` error). The environment is built once per process, on first use, and shared.

    text --compile()--> checked expression (once per policy generation)
         --evaluate(expression, activation(values))--> (value, error text)
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from cel_expr_python import cel  # type: ignore[import-untyped]
from cel_expr_python.ext import ext_math, ext_optional, ext_strings  # type: ignore[import-untyped]

from gitplane.api.cel import kube_types, library
from gitplane.api.cel.environment import CompileError

VARIABLES = ("object", "oldObject", "request", "params", "namespaceObject", "variables")

_ERROR_PREFIXES = ("UNKNOWN: ", "INVALID_ARGUMENT: ", "NOT_FOUND: ", "OUT_OF_RANGE: ", "INTERNAL: ",
                   "FAILED_PRECONDITION: ", "UNIMPLEMENTED: ")


@functools.cache
def environment() -> Any:
    """The shared environment (a ``cel_expr_python`` ``Env``)."""
    return cel.NewEnv(
        descriptor_pool=kube_types.POOL,
        variables=dict.fromkeys(VARIABLES, cel.Type.DYN),
        extensions=[ext_strings.ExtStrings(), ext_optional.ExtOptional(), ext_math.ExtMath(),
                    cel.CelExtension("kubernetes", [*library.declarations(), *kube_types.declarations()])],
    )


def compile_expression(text: str) -> Any:
    """Compile and type-check ``text``; raises :class:`CompileError` with the runtime's message."""
    try:
        return environment().compile(text)
    except RuntimeError as exc:
        message = str(exc).removeprefix("INVALID_ARGUMENT: ").removesuffix(" [INVALID_ARGUMENT]")
        raise CompileError(message) from None


def activation(values: Mapping[str, Any]) -> Any:
    """The variables of one evaluation, converted to CEL once and shared by every expression of it."""
    return environment().Activation(data=dict(values))


def evaluate(expression: Any, data: Any) -> tuple[Any, str | None]:
    """The expression's value as plain Python (maps and lists all the way down, so a variable's value can be
    handed to the next evaluation), or None and the error's text (worded as cel-go words the common ones)."""
    result = expression.eval(data)
    if result.type() != cel.Type.ERROR:
        return result.plain_value(), None
    text = str(result.value())
    for prefix in _ERROR_PREFIXES:
        text = text.removeprefix(prefix)
    if text.startswith("Key not found in map") or text.startswith("No such field"):
        text = "no such key: " + text.partition(":")[2].strip().strip('"')
    elif text.startswith("No matching overloads") or text.startswith("no such overload"):
        text = "no such overload"
    elif text == "divide by zero":
        text = "division by zero"
    return None, text
