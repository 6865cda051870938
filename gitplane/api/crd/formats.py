"""The string formats a CRD schema may name, checked as kube-openapi's format registry checks them.

kube keeps a ``format`` only where it knows it (``StripUnsupportedFormatsPostProcessor``): on ``integer`` only
``int32``/``int64``, on ``number`` only ``float``/``double`` (range checks, in :mod:`.numbers`), and on strings
(or untyped nodes) only the registry's names below, compared with dashes removed (``date-time`` is
``datetime``). Any other format is ignored, never an error. A string value that fails its format gets
``<path> in body must be of type <format>: "<value>"``.

    effective_format(schema)   the format kube still applies to a node, or ""
    check(format, value)       True when ``value`` is valid for a registry format

Each check follows the Go function kube uses (``net.ParseIP`` for ipv4/ipv6, ``net.ParseMAC``,
``url.ParseRequestURI``, ``mail.ParseAddress``, ``time.Parse`` for dates, go-openapi's regular expressions for
the rest). ``uri`` and ``email`` are close approximations of Go's parsers: they accept and refuse the same
common inputs, not necessarily every corner of RFC 3986/5322 the same way.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from typing import Any

from gitplane.api.crd import regex

_A = re.ASCII

_HOSTNAME = (
    r"^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}]"
    r"(([a-zA-Z0-9-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$"
)
_UUID = {
    "uuid": re.compile(r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\Z", _A),
    "uuid3": re.compile(r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}\Z", _A),
    "uuid4": re.compile(r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}\Z", _A),
    "uuid5": re.compile(r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}\Z", _A),
}
_CREDIT_CARD = re.compile(
    r"(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|6(?:011|5[0-9][0-9])[0-9]{12}|"
    r"3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11})",
    _A,
)
_ISBN10 = re.compile(r"(?:[0-9]{9}X|[0-9]{10})", _A)
_ISBN13 = re.compile(r"[0-9]{13}", _A)
_HEXCOLOR = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})", _A)
_OCTET = r"(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])"
_RGBCOLOR = re.compile(rf"rgb\(\s*{_OCTET}\s*,\s*{_OCTET}\s*,\s*{_OCTET}\s*\)", _A)
_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})", _A)
_SSN = re.compile(r"\d{3}[- ]?\d{2}[- ]?\d{4}", _A)
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", _A)
_TIME = re.compile(r"^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))\Z", re.ASCII | re.S)
_SHORT_NAME = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", _A)
_LONG_NAME = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*", _A)
_GO_DURATION = re.compile(r"[-+]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h))+", _A)
_DURATION_PART = re.compile(r"((\d+)\s*([A-Za-z\u00b5]+))", re.ASCII)
_DURATION_UNITS = (
    ("ns", "nano"),
    ("us", "\u00b5s", "micro"),
    ("ms", "milli"),
    ("s", "sec"),
    ("m", "min"),
    ("h", "hr", "hour"),
    ("d", "day"),
    ("w", "wk", "week"),
)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:", _A)
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})", _A)
_HOST_CHARS = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=%:\[\]]*", _A)
_ATOM = r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\U0010ffff]+"
_DOT_ATOM = rf"{_ATOM}(?:\.{_ATOM})*"
_QUOTED = r'"(?:[^"\\\r\n]|\\.)*"'
_ADDR_SPEC = re.compile(rf"(?:{_DOT_ATOM}|{_QUOTED})@(?:{_DOT_ATOM}|\[[^\[\]\\]*\])")
_DISPLAY = re.compile(rf"(?:(?:{_ATOM}|{_QUOTED})(?:[ \t]+(?:{_ATOM}|{_QUOTED}))*)?[ \t]*")
_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_MAX_DURATION_NS = 1 << 63
_UNIT_NS = {
    "ns": 1,
    "us": 1_000,
    "\u00b5s": 1_000,
    "\u03bcs": 1_000,
    "ms": 1_000_000,
    "s": 10**9,
    "m": 60 * 10**9,
    "h": 3600 * 10**9,
}


def _full(rx: re.Pattern[str], value: str) -> bool:
    return rx.fullmatch(value) is not None


def is_date(value: str) -> bool:
    """``time.Parse("2006-01-02", value)`` succeeds."""
    m = _DATE.fullmatch(value)
    if m is None:
        return False
    year, month, day = int(m[1]), int(m[2]), int(m[3])
    if not 1 <= month <= 12:
        return False
    leap = month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return 1 <= day <= _DAYS[month] + (1 if leap else 0)


def is_datetime(value: str) -> bool:
    if len(value) < 4:
        return False
    parts = value.lower().split("t")
    if len(parts) < 2 or not is_date(parts[0]):
        return False
    m = _TIME.search(parts[1])
    return m is not None and m[1] <= "23" and m[2] <= "59" and m[3] <= "59"


def _go_duration(value: str) -> bool:
    if value in ("0", "+0", "-0"):
        return True
    if not _GO_DURATION.fullmatch(value):
        return False
    total = 0.0
    for number, unit in re.findall(r"([0-9.]+)([^0-9.]+)", value.lstrip("+-")):
        total += float(number) * _UNIT_NS[unit]
    return total <= _MAX_DURATION_NS


def is_duration(value: str) -> bool:
    """go-openapi's ``ParseDuration``: Go's ``time.ParseDuration``, else the lenient "3 days" syntax."""
    if _go_duration(value):
        return True
    found = False
    for match in _DURATION_PART.finditer(value):
        unit = match[3].strip().lower()
        for variants in _DURATION_UNITS:
            for i, variant in enumerate(variants):
                if (i == len(variants) - 1 and unit.startswith(variant)) or variant == unit:
                    found = True
    return found


def _ipv4_sloppy(value: str) -> bool:
    parts = value.split(".")
    return len(parts) == 4 and all(p.isascii() and p.isdigit() and len(p) <= 3 and int(p) <= 255 for p in parts)


def _ipv6(value: str) -> bool:
    if "%" in value or not value.isascii():
        return False
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return True


def is_ipv4(value: str) -> bool:
    """``netutils.ParseIPSloppy(value) != nil`` and the text has a dot (so ``::ffff:1.2.3.4`` counts)."""
    return "." in value and (_ipv4_sloppy(value) or _ipv6(value))


def is_ipv6(value: str) -> bool:
    """``net.ParseIP(value) != nil`` and the text has a colon."""
    return ":" in value and _ipv6(value)


def is_cidr(value: str) -> bool:
    address, sep, prefix = value.partition("/")
    if not sep or not prefix.isascii() or not prefix.isdigit() or len(prefix) > 3:
        return False
    if _ipv4_sloppy(address):
        return int(prefix) <= 32
    return _ipv6(address) and int(prefix) <= 128


def is_mac(value: str) -> bool:
    """``net.ParseMAC``: 6, 8 or 20 octets as ``xx:xx:..``, ``xx-xx-..`` or ``xxxx.xxxx.xxxx``."""
    hexdigits = "0123456789abcdefABCDEF"
    if len(value) < 14:
        return False
    if value[2] in ":-":
        sep = value[2]
        groups = value.split(sep)
        return len(groups) in (6, 8, 20) and all(len(g) == 2 and all(c in hexdigits for c in g) for g in groups)
    if value[4] == ".":
        groups = value.split(".")
        return len(groups) * 2 in (6, 8, 20) and all(len(g) == 4 and all(c in hexdigits for c in g) for g in groups)
    return False


def is_request_uri(value: str) -> bool:
    """An approximation of ``url.ParseRequestURI``: an absolute URI, or an absolute path."""
    if not value or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return False
    rest = value
    if rest.startswith("/"):
        return _BAD_ESCAPE.search(rest.split("?", 1)[0]) is None
    m = _SCHEME.match(rest)
    if m is None:
        return False
    rest = rest[m.end() :]
    path = rest.split("?", 1)[0]
    if path.startswith("//"):
        authority, _, path = path[2:].partition("/")
        host = authority.rpartition("@")[2]
        if not _full(_HOST_CHARS, host) or " " in host:
            return False
        if host.startswith("[") and "]" not in host:
            return False
        if _BAD_ESCAPE.search(host):
            return False
    elif path and not path.startswith("/"):
        return True  # opaque (mailto:x, urn:a:b)
    return _BAD_ESCAPE.search(path) is None


def is_email(value: str) -> bool:
    """An approximation of ``mail.ParseAddress``: ``local@domain``, optionally as ``Name <local@domain>``."""
    text = value.strip(" \t")
    if text.endswith(">") and "<" in text:
        display, _, inner = text[:-1].rpartition("<")
        return _full(_DISPLAY, display) and _full(_ADDR_SPEC, inner)
    return _full(_ADDR_SPEC, text)


def is_hostname(value: str) -> bool:
    if not regex.matches(_HOSTNAME, value) or len(value.encode()) > 255:
        return False
    return all(len(part.encode()) <= 63 for part in value.split("."))


def _isbn10(value: str) -> bool:
    s = re.sub(r"[\s-]+", "", value)
    if not _full(_ISBN10, s):
        return False
    total = sum((i + 1) * int(s[i]) for i in range(9)) + (100 if s[9] == "X" else 10 * int(s[9]))
    return total % 11 == 0


def _isbn13(value: str) -> bool:
    s = re.sub(r"[\s-]+", "", value)
    if not _full(_ISBN13, s):
        return False
    total = sum((1, 3)[i % 2] * int(s[i]) for i in range(12))
    return int(s[12]) - (10 - total % 10) % 10 == 0


def _credit_card(value: str) -> bool:
    digits = re.sub(r"[^0-9]+", "", value, flags=re.ASCII)
    if not _full(_CREDIT_CARD, digits):
        return False
    total, double = 0, False
    for char in reversed(digits):
        n = int(char) * (2 if double else 1)
        total += n - 9 if n >= 10 else n
        double = not double
    return total % 10 == 0


def _bson_object_id(value: str) -> bool:
    return len(value) == 24 and all(c in "0123456789abcdefABCDEF" for c in value)


def _searcher(rx: re.Pattern[str]) -> Callable[[str], bool]:
    return lambda v: rx.search(v) is not None


def _short_name(value: str) -> bool:
    return len(value) <= 63 and _full(_SHORT_NAME, value)


def _long_name(value: str) -> bool:
    return len(value) <= 253 and _full(_LONG_NAME, value)


CHECKS: Mapping[str, Callable[[str], bool]] = {
    "bsonobjectid": _bson_object_id,
    "uri": is_request_uri,
    "email": is_email,
    "hostname": is_hostname,
    "ipv4": is_ipv4,
    "ipv6": is_ipv6,
    "cidr": is_cidr,
    "mac": is_mac,
    **{name: rx_check for name, rx_check in ((n, _searcher(r)) for n, r in _UUID.items())},
    "isbn": lambda v: _isbn10(v) or _isbn13(v),
    "isbn10": _isbn10,
    "isbn13": _isbn13,
    "creditcard": _credit_card,
    "ssn": lambda v: len(v) == 11 and _full(_SSN, v),
    "hexcolor": lambda v: _full(_HEXCOLOR, v),
    "rgbcolor": lambda v: _full(_RGBCOLOR, v),
    "byte": lambda v: _full(_BASE64, v),
    "password": lambda v: True,
    "date": is_date,
    "duration": is_duration,
    "datetime": is_datetime,
    "k8sshortname": _short_name,
    "k8slongname": _long_name,
}


def normalize(name: str) -> str:
    return name.replace("-", "")


def schema_types(schema: Mapping[str, Any]) -> tuple[str, ...]:
    """The node's types as kube-openapi sees them: int-or-string is ``integer, string``."""
    if schema.get("x-kubernetes-int-or-string"):
        return ("integer", "string")
    t = schema.get("type")
    return (t,) if isinstance(t, str) and t else ()


def effective_format(schema: Mapping[str, Any]) -> str:
    """The format kube still enforces on this node after stripping the ones it does not support."""
    fmt = schema.get("format")
    if not isinstance(fmt, str) or not fmt:
        return ""
    types = schema_types(schema)
    single = types[0] if len(types) == 1 else ""
    if single in ("", "string"):
        return fmt if normalize(fmt) in CHECKS else ""
    if single == "integer":
        return fmt if fmt in ("int32", "int64") else ""
    if single == "number":
        return fmt if fmt in ("float", "double") else ""
    return ""


def check(fmt: str, value: str) -> bool:
    """Whether ``value`` is valid for the registry format ``fmt`` (names compared without dashes)."""
    validator = CHECKS.get(normalize(fmt))
    return True if validator is None else validator(value)
