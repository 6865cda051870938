"""The string formats kube's typed decoding enforces, answering with the error text Go would give.

When kube-apiserver decodes a request body into a Go struct, a few field types parse their JSON string
themselves and fail the whole request with their own error: ``metav1.Time`` (``time.Parse`` with RFC 3339),
``metav1.MicroTime`` (RFC 3339 with exactly six fractional digits), ``[]byte`` (standard base64, ``illegal
base64 data at input byte N``) and ``resource.Quantity``. Clients print these messages, so each check here
follows the Go algorithm closely enough to report the same failing element or byte offset. Each function
returns ``None`` for a valid value and the Go error text otherwise.
"""

from __future__ import annotations

import binascii
import re
from typing import Final

RFC3339: Final = "2006-01-02T15:04:05Z07:00"
RFC3339_MICRO: Final = "2006-01-02T15:04:05.000000Z07:00"

# Layout chunks of the two layouts as Go's nextStdChunk splits them: (literal prefix, std element).
_RFC3339_CHUNKS = (("", "2006"), ("-", "01"), ("-", "02"), ("T", "15"), (":", "04"), (":", "05"),
                   ("", "Z07:00"))
_RFC3339_MICRO_CHUNKS = (*_RFC3339_CHUNKS[:-1], ("", ".000000"), ("", "Z07:00"))
_DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_FAST_RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:\d\d)", re.ASCII)
_FAST_RFC3339_MICRO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[.,]\d{6}(?:Z|[+-]\d\d:\d\d)", re.ASCII)


class _Bad(Exception):
    """A layout element could not be parsed (Go's errBad)."""


def time_error(value: str, *, micro: bool = False) -> str | None:
    """The ``time.Parse`` error for ``value`` in RFC 3339 (``micro``: RFC 3339 with microseconds)."""
    fast = _FAST_RFC3339_MICRO if micro else _FAST_RFC3339
    if fast.fullmatch(value) and _in_range(value):
        return None
    return _parse_time(value, RFC3339_MICRO if micro else RFC3339,
                       _RFC3339_MICRO_CHUNKS if micro else _RFC3339_CHUNKS)


def _in_range(value: str) -> bool:
    year, month, day = int(value[0:4]), int(value[5:7]), int(value[8:10])
    hour, minute, second = int(value[11:13]), int(value[14:16]), int(value[17:19])
    return (1 <= month <= 12 and 1 <= day <= _days_in(month, year) and hour < 24 and minute < 60
            and second < 60 and (value[-1] == "Z" or (int(value[-5:-3]) <= 24 and int(value[-2:]) <= 60)))


def _days_in(month: int, year: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _DAYS_IN_MONTH[month]


def _parse_time(value: str, layout: str, chunks: tuple[tuple[str, str], ...]) -> str | None:
    """Go's ``time.parse`` for the element kinds RFC 3339 uses, down to its error messages."""
    rest = value
    year = month = day = 0
    for position, (prefix, element) in enumerate(chunks):
        if not rest.startswith(prefix):
            mismatch = next(i for i, ch in enumerate(prefix) if i >= len(rest) or rest[i] != ch)
            return _cannot_parse(value, layout, rest[mismatch:], prefix)
        rest = rest[len(prefix):]
        hold = rest
        range_error = ""
        try:
            if element == "2006":
                if len(rest) < 4 or not rest[0].isdigit():
                    raise _Bad
                year, rest = _atoi(rest[:4]), rest[4:]
            elif element == "15":
                hour, rest = _getnum(rest, fixed=False)
                range_error = "hour" if hour >= 24 else ""
            elif element in ("01", "02", "04", "05"):
                number, rest = _getnum(rest, fixed=True)
                if element == "01":
                    month = number
                    range_error = "month" if not 1 <= month <= 12 else ""
                elif element == "02":
                    day = number
                elif number >= 60:
                    range_error = "minute" if element == "04" else "second"
                elif element == "05" and len(rest) >= 2 and rest[0] in ".," and rest[1].isdigit() \
                        and chunks[position + 1][1] != ".000000":
                    digits = 2
                    while digits < len(rest) and rest[digits].isdigit():
                        digits += 1
                    rest = rest[digits:]
            elif element == ".000000":
                if len(rest) < 7 or rest[0] not in ".,":
                    raise _Bad
                range_error = "fractional second" if _atoi(rest[1:7]) < 0 else ""
                rest = rest[7:]
            else:
                rest, range_error = _zone(rest)
        except _Bad:
            return _cannot_parse(value, layout, hold, element)
        if range_error:
            return f"parsing time {_quote(value)}: {range_error} out of range"
    if rest:
        return f"parsing time {_quote(value)}: extra text: {_quote(rest)}"
    if day < 1 or day > _days_in(month, year):
        return f"parsing time {_quote(value)}: day out of range"
    return None


def _zone(rest: str) -> tuple[str, str]:
    """A ``Z07:00`` element; Go checks the offset's range before its sign, and a range error wins."""
    if rest[:1] == "Z":
        return rest[1:], ""
    if len(rest) < 6 or rest[3] != ":":
        raise _Bad
    bad = False
    hours = minutes = 0
    try:
        hours, _ = _getnum(rest[1:3], fixed=True)
        minutes, _ = _getnum(rest[4:6], fixed=True)
    except _Bad:
        bad = True
    if minutes > 60:
        return rest[6:], "time zone offset minute"
    if hours > 24:
        return rest[6:], "time zone offset hour"
    if bad or rest[0] not in "+-":
        raise _Bad
    return rest[6:], ""


def _getnum(text: str, *, fixed: bool) -> tuple[int, str]:
    if not text[:1].isdigit():
        raise _Bad
    if not text[1:2].isdigit():
        if fixed:
            raise _Bad
        return int(text[0]), text[1:]
    return int(text[:2]), text[2:]


def _atoi(text: str) -> int:
    sign = -1 if text[:1] == "-" else 1
    digits = text[1:] if text[:1] in ("-", "+") else text
    if not digits.isascii() or (digits and not digits.isdigit()):
        raise _Bad
    return sign * int(digits or "0")


def _cannot_parse(value: str, layout: str, value_elem: str, layout_elem: str) -> str:
    return (f"parsing time {_quote(value)} as {_quote(layout)}: cannot parse {_quote(value_elem)} "
            f"as {_quote(layout_elem)}")


def _quote(text: str) -> str:
    """Go's ``time.quote``: double quotes, with ``"`` and ``\\`` escaped and bytes outside printable ASCII
    written as ``\\xNN``."""
    out = ['"']
    for char in text:
        if char < " " or char >= "\x80":
            out.extend(f"\\x{byte:02x}" for byte in char.encode("utf-8", "surrogatepass"))
        else:
            out.append("\\" + char if char in '"\\' else char)
    out.append('"')
    return "".join(out)


_BASE64_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
_NEWLINES = (ord("\n"), ord("\r"))
_PAD = ord("=")


def base64_error(text: str) -> str | None:
    """The ``base64.StdEncoding`` error for ``text``: ``illegal base64 data at input byte N``."""
    data = text.encode("utf-8", "surrogatepass")
    try:
        binascii.a2b_base64(data, strict_mode=True)
    except binascii.Error:
        offset = _corrupt_base64_offset(data)
        return None if offset is None else f"illegal base64 data at input byte {offset}"
    return None


def _corrupt_base64_offset(src: bytes) -> int | None:
    """Go's ``decodeQuantum`` loop: the offset Go reports, or None when Go accepts the input (Go skips CR
    and LF anywhere)."""
    size, si = len(src), 0
    while si < size:
        filled = 0
        while filled < 4:
            if si == size:
                return None if filled == 0 else si - filled
            byte = src[si]
            si += 1
            if byte in _BASE64_ALPHABET:
                filled += 1
                continue
            if byte in _NEWLINES:
                continue
            if byte != _PAD or filled < 2:
                return si - 1
            if filled == 2:
                while si < size and src[si] in _NEWLINES:
                    si += 1
                if si == size:
                    return size
                if src[si] != _PAD:
                    return si - 1
                si += 1
            while si < size and src[si] in _NEWLINES:
                si += 1
            return si if si < size else None
    return None


QUANTITY_FORMAT_ERROR: Final = ("quantities must match the regular expression "
                                "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
QUANTITY_SUFFIX_ERROR: Final = "unable to parse quantity's suffix"
# Possessive quantifiers: Go scans left to right without backtracking, and so must we (long inputs).
_QUANTITY = re.compile(r"[+-]?+[0-9]*+(?:\.[0-9]*+)?+(?P<suffix>[eEinumkKMGTP]*+[-+]?+[0-9]*+)", re.ASCII)
_SUFFIXES = frozenset({"", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"})
_EXPONENT = re.compile(r"[eE][+-]?[0-9]+", re.ASCII)


def quantity_error(text: str) -> str | None:
    """The ``resource.ParseQuantity`` error for ``text`` (already unquoted and trimmed), if any."""
    if not text:
        return QUANTITY_FORMAT_ERROR
    match = _QUANTITY.fullmatch(text)
    if match is None:
        return QUANTITY_FORMAT_ERROR
    suffix = match.group("suffix")
    if suffix in _SUFFIXES or _EXPONENT.fullmatch(suffix):
        return None
    return QUANTITY_SUFFIX_ERROR
