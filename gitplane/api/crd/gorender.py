"""Go's renderings of JSON values, for CRD error messages that must read exactly as kube-apiserver's.

kube builds schema errors in Go from decoded JSON (``int64``, ``float64``, ``string``, ``bool``, ``nil``,
``map[string]interface{}``, ``[]interface{}``), so the same value prints three ways depending on where it lands:

    go_v(value)       fmt's ``%v``: floats as strconv 'g' shortest (``1e+06``), strings bare, slices ``[a b]``,
                      maps ``map[k:v]`` with sorted keys, nil ``<nil>``   -> inside kube-openapi messages
    go_json(value)    encoding/json: floats as 'f' unless tiny or huge, maps with sorted keys, no spaces
    bad_value(value)  a field error's bad value (``field.Error.ErrorBody``): numbers and bools ``%v``,
                      strings ``%q``, everything else JSON

:func:`field_error` builds a :class:`~gitplane.api.errors.FieldError` whose message carries the bad value
rendered this way (the shared ``errors`` module renders objects as ``"object"``, which is right for CEL but not
for schema errors). Python ints outside int64 are treated as the float64 Go would have decoded them to.
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Mapping, Sequence
from typing import Any

from gitplane.api import errors, gosyntax

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1

OMIT = object()
"""A bad value that kube does not print (``Required``, ``Forbidden``, ``Too long``)."""


def go_number(value: Any) -> Any:
    """The value as Go's JSON decoding holds it: ints beyond int64 become floats."""
    if isinstance(value, int) and not isinstance(value, bool) and not INT64_MIN <= value <= INT64_MAX:
        return float(value)
    return value


def _digits(f: float) -> tuple[str, int]:
    """Shortest round-trip decimal digits of abs(f) and the decimal point position (Go's ``digs.d``, ``dp``)."""
    sign_digits_exp = decimal.Decimal(repr(abs(f))).as_tuple()
    raw = "".join(str(d) for d in sign_digits_exp.digits)
    exponent = int(sign_digits_exp.exponent)
    stripped = raw.lstrip("0")
    point = len(raw) + exponent - (len(raw) - len(stripped))
    return stripped.rstrip("0") or "0", point


def _fixed(sign: str, digits: str, point: int) -> str:
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return f"{sign}{digits}{'0' * (point - len(digits))}"
    return f"{sign}{digits[:point]}.{digits[point:]}"


def go_float_g(f: float) -> str:
    """``strconv.FormatFloat(f, 'g', -1, 64)``, which is what ``%v`` prints for a float64."""
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    if f == 0:
        return "-0" if math.copysign(1, f) < 0 else "0"
    sign = "-" if f < 0 else ""
    digits, point = _digits(f)
    exp = point - 1
    if exp < -4 or exp >= 6:  # shortest formatting decides with precision 6
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mant}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    return _fixed(sign, digits, point)


def go_float_f(f: float) -> str:
    """``strconv.FormatFloat(f, 'f', -1, 64)``: shortest digits, never an exponent."""
    if math.isnan(f) or math.isinf(f):
        return go_float_g(f)
    if f == 0:
        return "0"
    digits, point = _digits(f)
    return _fixed("-" if f < 0 else "", digits, point)


def go_float_json(f: float) -> str:
    """encoding/json's float64: 'f' format, or 'e' (``1e-07``, ``1e+21``) below 1e-6 and from 1e21 up."""
    if f == 0:
        return "0"
    absolute = abs(f)
    if absolute < 1e-6 or absolute >= 1e21:
        text = go_float_g(f)
        mant, _, exp = text.partition("e")
        sign, number = exp[0], exp[1:].lstrip("0") or "0"
        return f"{mant}e{sign}{number}"
    return go_float_f(f)


def go_json(value: Any) -> str:
    """``json.Marshal`` of a decoded JSON value."""
    value = go_number(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float_json(value)
    if isinstance(value, str):
        return _json_string(value)
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{_json_string(str(k))}:{go_json(value[k])}" for k in sorted(value)) + "}"
    if isinstance(value, Sequence):
        return "[" + ",".join(go_json(v) for v in value) + "]"
    return _json_string(str(value))


_JSON_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def _json_string(value: str) -> str:
    out = ['"']
    for char in value:
        if char in _JSON_ESCAPES:
            out.append(_JSON_ESCAPES[char])
        elif ord(char) < 0x20:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def go_v(value: Any) -> str:
    """fmt's ``%v`` of a decoded JSON value."""
    value = go_number(value)
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float_g(value)
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return "map[" + " ".join(f"{k}:{go_v(value[k])}" for k in sorted(value)) + "]"
    if isinstance(value, Sequence):
        return "[" + " ".join(go_v(v) for v in value) + "]"
    return str(value)


def bad_value(value: Any) -> str:
    """How ``field.Error`` prints its bad value."""
    value = go_number(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float_g(value)
    if isinstance(value, str):
        return gosyntax.go_quote(value)
    return go_json(value)


def field_error(kind: str, path: str, value: Any = OMIT, detail: str = "") -> errors.FieldError:
    """A field error worded as kube's ``field.Error``: ``<kind text>[: <bad value>][: <detail>]``."""
    if value is OMIT:
        return errors.FieldError(kind, path, detail)
    rendered = bad_value(value)
    return errors.FieldError(kind, path, f"{rendered}: {detail}" if detail else rendered)


def invalid(path: str, value: Any, detail: str) -> errors.FieldError:
    return field_error(errors.FIELD_VALUE_INVALID, path, value, detail)


def type_invalid(path: str, value: Any, detail: str) -> errors.FieldError:
    return field_error(errors.FIELD_VALUE_TYPE_INVALID, path, value, detail)


def required(path: str, detail: str = "") -> errors.FieldError:
    return errors.FieldError(errors.FIELD_VALUE_REQUIRED, path, detail)


def forbidden(path: str, detail: str) -> errors.FieldError:
    return errors.FieldError(errors.FIELD_VALUE_FORBIDDEN, path, detail)


def not_supported(path: str, value: Any, allowed: Sequence[str]) -> errors.FieldError:
    detail = "supported values: " + ", ".join(gosyntax.go_quote(a) for a in allowed) if allowed else ""
    return field_error(errors.FIELD_VALUE_NOT_SUPPORTED, path, value, detail)


def duplicate(path: str, value: Any) -> errors.FieldError:
    return field_error(errors.FIELD_VALUE_DUPLICATE, path, value)


def too_long(path: str, max_length: int) -> errors.FieldError:
    unit = "byte" if max_length == 1 else "bytes"
    detail = f"may not be more than {max_length} {unit}" if max_length >= 0 else "value is too long"
    return errors.FieldError(errors.FIELD_VALUE_TOO_LONG, path, detail)


def too_many(path: str, actual: int, maximum: int) -> errors.FieldError:
    unit = "item" if maximum == 1 else "items"
    detail = f"must have at most {maximum} {unit}" if maximum >= 0 else "has too many items"
    text = f"{actual}: {detail}" if actual >= 0 else detail
    return errors.FieldError(errors.FIELD_VALUE_TOO_MANY, path, text)
