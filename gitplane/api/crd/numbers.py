"""Numbers in CRD validation: JSON integers versus numbers, and the numeric checks, as kube-openapi does them.

kube decodes a custom object's JSON numbers into ``int64`` when the literal is an integer that fits, and into
``float64`` otherwise (``1.0``, ``1e3``, 2**64). Python's JSON decoders give ``int`` and ``float`` the same way,
so the distinction carries over; ints beyond int64 are treated as the float Go would hold.

    is_json_integer(f)         go-openapi's IsFloat64AJSONInteger: an integral float within +-2**53
    check_number(value, schema, path)   the errors of kube-openapi's numberValidator for one value:
                               range of the declared type/format, multipleOf, minimum, maximum

The checks keep kube-openapi's quirks, because clients see their messages: an integer value is compared
against ``int64(bound)`` (a fractional bound is truncated), an integer field's fractional ``minimum`` /
``maximum`` / ``multipleOf`` yields an extra ``<Kind> value must be of type integer`` error, and the range
errors are plain errors that kube reports on the root field path (``<nil>``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from gitplane.api.crd import gorender
from gitplane.api.crd.result import Err, Kind

_MAX_FLOAT32 = 3.4028234663852886e38
_INT32 = (-(1 << 31), (1 << 31) - 1)
_INT64 = (gorender.INT64_MIN, gorender.INT64_MAX)
_JSON_INT_LIMIT = float(1 << 53)


def is_json_integer(f: float) -> bool:
    """go-openapi's ``IsFloat64AJSONInteger``."""
    if math.isnan(f) or math.isinf(f) or abs(f) > _JSON_INT_LIMIT:
        return False
    if f == math.trunc(f):
        return True
    g = float(math.trunc(f)) if f >= 0 else 0.0  # Go's float64(uint64(f)) of a negative float is 0 here
    diff = abs(f - g)
    if f == 0 or g == 0 or diff < 5e-324:
        return diff < 1e-9 * 5e-324
    return diff / min(abs(f) + abs(g), 1.7976931348623157e308) < 1e-9


def _go_int64(f: float) -> int:
    """Go's ``int64(f)`` conversion, truncating toward zero (saturating where Go's result is unspecified)."""
    if math.isnan(f):
        return gorender.INT64_MIN
    return (
        max(gorender.INT64_MIN, min(gorender.INT64_MAX, math.trunc(f)))
        if not math.isinf(f)
        else (gorender.INT64_MAX if f > 0 else gorender.INT64_MIN)
    )


def _string_rep(value: int | float) -> str:
    """``swag.FormatInt64`` / ``FormatFloat64`` (strconv 'f', shortest)."""
    return str(value) if isinstance(value, int) else gorender.go_float_f(value)


def _range_error(value: int | float, type_name: str, fmt: str, prefix: str, path: str) -> Err | None:
    """kube-openapi's ``IsValueValidAgainstRange``: can the value be held by the declared type and format?"""
    rep = _string_rep(value)
    ok = True
    if type_name == "integer":
        low, high = _INT32 if fmt == "int32" else _INT64
        try:
            ok = low <= int(rep, 10) <= high
        except ValueError:
            ok = False
    elif fmt == "float":
        ok = abs(float(value)) <= _MAX_FLOAT32
    if ok:
        return None
    if fmt:
        text = f"{prefix} value must be of type {type_name} with format {fmt} in {path}"
    else:
        text = f"{prefix} value must be of type {type_name} (default format) in {path}"
    return Err(Kind.PLAIN, path, text)


def _multiple_of_int(path: str, data: int, factor: int) -> Err | None:
    if factor <= 0:
        return Err(
            Kind.MULTIPLE_POSITIVE,
            path,
            f"factor MultipleOf declared for {path} must be positive: {factor}",
            value=factor,
        )
    quotient = abs(data) // abs(factor) * (1 if (data >= 0) == (factor >= 0) else -1)
    if quotient * factor != data:
        return Err(Kind.MULTIPLE_OF, path, f"{path} in body should be a multiple of {factor}", value=data)
    return None


def _multiple_of_float(path: str, data: float, factor: float) -> Err | None:
    if factor <= 0:
        return Err(
            Kind.MULTIPLE_POSITIVE,
            path,
            f"factor MultipleOf declared for {path} must be positive: {gorender.go_float_g(factor)}",
            value=factor,
        )
    mult = (1 / factor * data) if factor < 1 else data / factor
    if not is_json_integer(mult):
        return Err(
            Kind.MULTIPLE_OF, path, f"{path} in body should be a multiple of {gorender.go_float_g(factor)}", value=data
        )
    return None


def _bound(path: str, data: int | float, bound: float, *, exclusive: bool, upper: bool, native: bool) -> Err | None:
    if native and isinstance(data, int):
        limit: int | float = _go_int64(bound)
        shown = str(limit)
    else:
        limit = bound
        data = float(data)
        shown = gorender.go_float_g(bound)
    if upper:
        failed = data >= limit if exclusive else data > limit
        words = "less than" if exclusive else "less than or equal to"
        kind = Kind.MAXIMUM
    else:
        failed = data <= limit if exclusive else data < limit
        words = "greater than" if exclusive else "greater than or equal to"
        kind = Kind.MINIMUM
    if not failed:
        return None
    return Err(kind, path, f"{path} in body should be {words} {shown}", value=data)


def check_number(value: int | float, schema: Mapping[str, Any], fmt: str, path: str) -> list[Err]:
    """The errors kube-openapi's numberValidator gives ``value`` (already known to be a number)."""
    t = schema.get("type")
    type_name = t if t in ("integer", "number") and not schema.get("x-kubernetes-int-or-string") else ""
    number_format = (
        fmt
        if (type_name == "integer" and fmt in ("int32", "int64"))
        or (type_name == "number" and fmt in ("float", "double"))
        else ""
    )
    found: list[Err] = []
    err = _range_error(value, type_name, number_format, "Checked", path)
    if err is not None:
        found.append(err)
    multiple, minimum, maximum = schema.get("multipleOf"), schema.get("minimum"), schema.get("maximum")
    if isinstance(multiple, int | float) and not isinstance(multiple, bool):
        factor_err = _range_error(multiple, type_name, number_format, "MultipleOf", path)
        if factor_err is None:
            result = (
                _multiple_of_int(path, value, _go_int64(float(multiple)))
                if isinstance(value, int)
                else _multiple_of_float(path, float(value), float(multiple))
            )
        else:
            found.append(factor_err)
            result = _multiple_of_float(path, float(value), float(multiple))
        if result is not None:
            found.append(result)
    for bound, exclusive_key, upper, prefix in (
        (minimum, "exclusiveMinimum", False, "Minimum boundary"),
        (maximum, "exclusiveMaximum", True, "Maximum boundary"),
    ):
        if not isinstance(bound, int | float) or isinstance(bound, bool):
            continue
        bound_err = _range_error(bound, type_name, number_format, prefix, path)
        if bound_err is not None:
            found.append(bound_err)
        result = _bound(
            path, value, float(bound), exclusive=bool(schema.get(exclusive_key)), upper=upper, native=bound_err is None
        )
        if result is not None:
            found.append(result)
    return found
