"""The one CEL environment every CRD rule is compiled in: variables, extensions and Kubernetes' libraries.

Built once per process on first use (building it declares some hundred overloads) and shared: an environment
is immutable and compiling in it is thread-safe. Rules see

* ``self`` and ``oldSelf`` as ``dyn`` (the schema's types are checked separately, see ``field_check``);
* ``__gp_old``/``__gp_has_old`` for rules with ``optionalOldSelf: true``, where ``oldSelf`` is rewritten to an
  optional built from them (the runtime cannot take an optional as input);
* the runtime's strings, optional and math extensions, and ``library`` and ``kube_types`` for the rest.

    rule text --compile()--> cel.Expression (checked) --eval(data={"self": ..., "oldSelf": ...})--> cel.Value
"""

from __future__ import annotations

import functools
from typing import Any

from cel_expr_python import cel  # type: ignore[import-untyped]
from cel_expr_python.ext import ext_math, ext_optional, ext_strings  # type: ignore[import-untyped]

from gitplane.api.cel import kube_types, library

SELF = "self"
OLD_SELF = "oldSelf"
OLD_VALUE = "__gp_old"
HAS_OLD = "__gp_has_old"
OPTIONAL_OLD_SELF = f"{HAS_OLD} ? optional.of({OLD_VALUE}) : optional.none()"


@functools.cache
def environment() -> Any:
    """The shared environment (a ``cel_expr_python`` ``Env``)."""
    return cel.NewEnv(
        descriptor_pool=kube_types.POOL,
        variables={SELF: cel.Type.DYN, OLD_SELF: cel.Type.DYN, OLD_VALUE: cel.Type.DYN, HAS_OLD: cel.Type.BOOL},
        # Kubernetes' list indexOf/lastIndexOf are overloads of the strings extension's functions: the runtime
        # merges them only when they come as an extension after it (as ``functions=`` they clash).
        extensions=[ext_strings.ExtStrings(), ext_optional.ExtOptional(), ext_math.ExtMath(),
                    cel.CelExtension("kubernetes", [*library.declarations(), *kube_types.declarations()])],
    )


def activation(self_value: Any, old_value: Any, optional_old_value: Any, *, has_old: bool) -> Any:
    """The variables of one node's rules, converted to CEL once and shared by all of them."""
    return environment().Activation(data={SELF: self_value, OLD_SELF: old_value, OLD_VALUE: optional_old_value,
                                          HAS_OLD: has_old})


class CompileError(ValueError):
    """The runtime's compile error text (``ERROR: <input>:1:5: ...`` with the source line and a caret)."""


def compile_expression(text: str) -> Any:
    """Compile and type-check ``text``; raises :class:`CompileError` with the runtime's message."""
    try:
        return environment().compile(text)
    except RuntimeError as exc:
        message = str(exc)
        for prefix in ("INVALID_ARGUMENT: ",):
            message = message.removeprefix(prefix)
        message = message.removesuffix(" [INVALID_ARGUMENT]")
        raise CompileError(message) from None


def is_error(value: Any) -> bool:
    return bool(value.type() == cel.Type.ERROR)


def returns_string_or_dyn(expression: Any) -> bool:
    kind = expression.return_type()
    return kind in (cel.Type.STRING, cel.Type.DYN)


def returns_bool_or_dyn(expression: Any) -> bool:
    kind = expression.return_type()
    return kind in (cel.Type.BOOL, cel.Type.DYN)


def is_string(value: Any) -> bool:
    return bool(value.type() == cel.Type.STRING)
