"""The result of validating a value against a schema, and its translation into kube's field errors.

The schema walk (:mod:`.values`) records kube-openapi's errors: each has a kind (kube-openapi's error code), the
dotted name of the value it is about (``spec.replicas``, ``spec.items[0].name``) and a message in
kube-openapi's words (``spec.replicas in body must be of type integer: "string"``). :class:`Result` keeps them
as kube-openapi's ``Result`` does: a message is recorded once, and a match count says how much of a schema
matched, which decides whose errors an ``anyOf``/``oneOf`` failure reports.

:func:`to_field_errors` then does what kube's ``kubeOpenAPIResultToFieldErrors`` does: ``Required`` and enum
errors become ``Required value`` and ``Unsupported value``, too-long strings ``Too long``, too many items or
properties ``Too many``, type errors and everything else ``Invalid value``; errors without a field (``anyOf``,
``oneOf``, ``allOf``, ``not`` failures and numeric range errors) land on the base path, which for a whole
object is printed ``<nil>`` as Go prints a nil field path.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from gitplane.api import errors
from gitplane.api.crd import gorender

_UNSET: Any = gorender.OMIT


class Kind(enum.Enum):
    TYPE = "type"
    REQUIRED = "required"
    TOO_LONG = "too_long"
    TOO_SHORT = "too_short"
    PATTERN = "pattern"
    ENUM = "enum"
    MULTIPLE_OF = "multiple_of"
    MULTIPLE_POSITIVE = "multiple_positive"
    MAXIMUM = "maximum"
    MINIMUM = "minimum"
    UNIQUE = "unique"
    MAX_ITEMS = "max_items"
    MIN_ITEMS = "min_items"
    MAX_PROPERTIES = "max_properties"
    MIN_PROPERTIES = "min_properties"
    FORBIDDEN_PROPERTY = "forbidden_property"
    COMPOSITE = "composite"  # anyOf/oneOf/allOf/not: an error without a field
    PLAIN = "plain"  # a plain Go error (numeric range): no field either


@dataclass(frozen=True, slots=True)
class Err:
    kind: Kind
    name: str
    message: str
    value: Any = _UNSET
    valid: Any = None
    values: tuple[Any, ...] = ()


@dataclass(slots=True)
class Result:
    errors: list[Err] = field(default_factory=list)
    match_count: int = 0
    _seen: set[str] = field(default_factory=set)

    def add(self, *errs: Err | None) -> None:
        for err in errs:
            if err is not None and err.message not in self._seen:
                self._seen.add(err.message)
                self.errors.append(err)

    def merge(self, *others: Result | None) -> Result:
        for other in others:
            if other is not None:
                self.add(*other.errors)
                self.match_count += other.match_count
        return self

    def inc(self) -> None:
        self.match_count += 1

    @property
    def valid(self) -> bool:
        return not self.errors


def single(err: Err) -> Result:
    """kube-openapi's ``errorHelp.sErr``: a result holding one error, with no matches."""
    result = Result()
    result.add(err)
    return result


def _child(base: str | None, name: str) -> str:
    return name if base is None else f"{base}.{name}"


def _or_empty(value: Any) -> Any:
    return "" if value is _UNSET or value is None else value


def to_field_errors(result_errors: Iterable[Err], base: str | None = None) -> list[errors.FieldError]:
    """kube's ``kubeOpenAPIResultToFieldErrors``; ``base`` is the field path of the validated value (None: the
    whole object, as for a custom resource; ``status`` for the status subresource)."""
    root = "<nil>" if base is None else base
    out: list[errors.FieldError] = []
    for err in result_errors:
        if err.kind in (Kind.COMPOSITE, Kind.PLAIN):
            out.append(gorender.invalid(root, "", err.message))
            continue
        path = root
        if err.name and err.name != ".":
            path = _child(base, err.name.removeprefix("."))
        if err.kind is Kind.REQUIRED:
            out.append(gorender.required(path))
        elif err.kind is Kind.ENUM:
            allowed = [v if isinstance(v, str) else gorender.go_json(v) for v in err.values]
            out.append(gorender.not_supported(path, None if err.value is _UNSET else err.value, allowed))
        elif err.kind is Kind.TOO_LONG:
            out.append(gorender.too_long(path, err.valid if isinstance(err.valid, int) else -1))
        elif err.kind in (Kind.MAX_ITEMS, Kind.MAX_PROPERTIES):
            actual = err.value if isinstance(err.value, int) else -1
            out.append(gorender.too_many(path, actual, err.valid if isinstance(err.valid, int) else -1))
        elif err.kind is Kind.TYPE:
            out.append(gorender.type_invalid(path, _or_empty(err.value), err.message))
        else:
            out.append(gorender.invalid(path, _or_empty(err.value), err.message))
    return out
