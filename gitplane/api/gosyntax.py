"""How kube-apiserver prints Go values inside its error messages, for messages that must read the same.

Field errors and selector errors are built in Go with ``%q`` (a Go-quoted string) and, for values that are
neither strings nor numbers, ``%#v`` (Go syntax: ``[]string{"a", "b"}``) or a type's ``String()`` method
(``time.Time`` prints as ``2024-01-02 03:04:05 +0000 UTC``). Clients show these messages verbatim, so the few
shapes that reach users are reproduced here; the validators pass the rendered text on to their field errors.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

_SIMPLE_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def go_quote(value: str) -> str:
    """``strconv.Quote``: double quotes, backslash escapes, printable runes kept as they are."""
    if value.isascii() and value.isprintable() and '"' not in value and "\\" not in value:
        return f'"{value}"'
    out = ['"']
    for char in value:
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif char.isprintable():
            out.append(char)
        elif char in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[char])
        else:
            code = ord(char)
            if code < 0x20 or code == 0x7F:
                out.append(f"\\x{code:02x}")
            elif code < 0x10000:
                out.append(f"\\u{code:04x}")
            else:
                out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def go_string_slice(values: Iterable[str] | None, type_name: str = "[]string") -> str:
    """``%#v`` of a slice of (named) strings: ``[]string{"a", "b"}``, or ``[]string(nil)`` for a nil slice."""
    if values is None:
        return f"{type_name}(nil)"
    return type_name + "{" + ", ".join(go_quote(v) for v in values) + "}"


def go_time(timestamp: str | None) -> str:
    """``time.Time.String()`` of an RFC 3339 timestamp as kube holds it (UTC), or ``null`` for no time.

    Go prints the zero time for an unset ``metav1.Time`` value and ``null`` (in field errors) for a nil
    pointer; callers pass ``None`` only for the pointer case.
    """
    if timestamp is None:
        return "null"
    if not timestamp:
        return "0001-01-01 00:00:00 +0000 UTC"
    parsed = datetime.fromisoformat(timestamp)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC)
    text = parsed.strftime("%Y-%m-%d %H:%M:%S")
    if parsed.microsecond:
        text += f".{parsed.microsecond:06d}".rstrip("0")
    return text + " +0000 UTC"


def go_aggregate(messages: Iterable[str]) -> str:
    """Go's ``utilerrors.NewAggregate(...).Error()``: one message as is, several as ``[a, b]`` (deduplicated)."""
    unique = list(dict.fromkeys(messages))
    return unique[0] if len(unique) == 1 else "[" + ", ".join(unique) + "]"
