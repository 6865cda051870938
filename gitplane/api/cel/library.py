"""Kubernetes' CEL list and regex libraries, which the C++ runtime's extensions do not have.

The runtime brings the standard macros, ``has``, optional types and the strings extension (``lowerAscii``,
``split``, ``join``, ``replace``, ``indexOf`` on strings, ``format`` ...). Kubernetes adds, and this module
declares with Python implementations:

* lists: ``isSorted()``, ``sum()``, ``min()``, ``max()``, ``indexOf(x)``, ``lastIndexOf(x)``;
* regex: ``find(re)``, ``findAll(re)``, ``findAll(re, n)``.

Values arrive as Python values (``list``, ``dict``, ``int``, ``float``, ``str``, ``bool``); an exception becomes a
CEL error value, which the evaluator reports as kube does (``<error> evaluating rule: <rule>``). Equality follows
CEL, not Python: ``true`` is not ``1``. Regular expressions are compiled once per pattern (Python ``re`` stands in
for RE2; the patterns rules use in practice mean the same in both).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from cel_expr_python import cel  # type: ignore[import-untyped]

T = cel.Type


class LibraryError(ValueError):
    """A library call kube would fail; the message is kube's."""


def _cel_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(_cel_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_cel_equal(v, b[k]) for k, v in a.items())
    return bool(a == b)


def _comparable(values: list[Any], what: str) -> None:
    kinds = {("number" if isinstance(v, int | float) and not isinstance(v, bool) else type(v).__name__)
             for v in values}
    if len(kinds) > 1 or kinds & {"list", "dict", "NoneType"}:
        raise LibraryError(f"no such overload: {what}")


def _is_sorted(values: list[Any]) -> bool:
    _comparable(values, "isSorted")
    return all(values[i] <= values[i + 1] for i in range(len(values) - 1))


def _sum(values: list[Any]) -> Any:
    _comparable(values, "sum")
    if values and not isinstance(values[0], int | float):
        raise LibraryError("no such overload: sum")
    return sum(values) if values else 0


def _extreme(name: str, pick: Callable[[list[Any]], Any]) -> Callable[[list[Any]], Any]:
    def call(values: list[Any]) -> Any:
        if not values:
            raise LibraryError(f"{name} called on empty list")
        _comparable(values, name)
        return pick(values)
    return call


def _index_of(values: list[Any], item: Any) -> int:
    return next((i for i, v in enumerate(values) if _cel_equal(v, item)), -1)


def _last_index_of(values: list[Any], item: Any) -> int:
    return next((i for i in range(len(values) - 1, -1, -1) if _cel_equal(values[i], item)), -1)


@functools.lru_cache(maxsize=1024)
def regex(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise LibraryError(f"error parsing regexp: {exc}: `{pattern}`") from None


def _find(text: str, pattern: str) -> str:
    match = regex(pattern).search(text)
    return match.group(0) if match else ""


def _find_all(text: str, pattern: str, limit: int = -1) -> list[str]:
    if limit == 0:
        return []
    found = [m.group(0) for m in regex(pattern).finditer(text)]
    return found if limit < 0 else found[:limit]


def declarations() -> list[Any]:
    """The list and regex function declarations, each with its Python implementation."""
    L, D, S, N, B = T.List(T.DYN), T.DYN, T.STRING, T.INT, T.BOOL

    def member(oid: str, returns: Any, params: list[Any], impl: Callable[..., Any]) -> Any:
        return cel.Overload(f"gitplane_{oid}", returns, params, is_member=True, impl=impl)

    return [
        cel.FunctionDecl("isSorted", [member("list_is_sorted", B, [L], _is_sorted)]),
        cel.FunctionDecl("sum", [member("list_sum", D, [L], _sum)]),
        cel.FunctionDecl("min", [member("list_min", D, [L], _extreme("min", min))]),
        cel.FunctionDecl("max", [member("list_max", D, [L], _extreme("max", max))]),
        cel.FunctionDecl("indexOf", [member("list_index_of", N, [L, D], _index_of)]),
        cel.FunctionDecl("lastIndexOf", [member("list_last_index_of", N, [L, D], _last_index_of)]),
        cel.FunctionDecl("find", [member("string_find", S, [S, S], _find)]),
        cel.FunctionDecl("findAll", [member("string_find_all", T.List(S), [S, S], _find_all),
                                     member("string_find_all_n", T.List(S), [S, S, N], _find_all)]),
    ]
