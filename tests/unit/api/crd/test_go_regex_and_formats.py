"""Patterns are Go (RE2) regular expressions, formats are checked as kube-openapi checks them, and values
inside messages print as Go prints them."""

from __future__ import annotations

import pytest

from gitplane.api.crd import formats, gorender, regex


@pytest.mark.parametrize(("pattern", "error"), [
    ("(abc", "error parsing regexp: missing closing ): `(abc`"),
    ("abc)", "error parsing regexp: unexpected ): `abc)`"),
    ("[a", "error parsing regexp: missing closing ]: `[a`"),
    ("a**", "error parsing regexp: invalid nested repetition operator: `**`"),
    ("*a", "error parsing regexp: missing argument to repetition operator: `*`"),
    ("x{1001}", "error parsing regexp: invalid repeat count: `{1001}`"),
    (r"\q", r"error parsing regexp: invalid escape sequence: `\q`"),
    ("[z-a]", "error parsing regexp: invalid character class range: `z-a`"),
    (r"(a)\1", r"error parsing regexp: invalid escape sequence: `\1`"),
    ("(?=a)b", "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"),
    ("x(?<=a)b", "error parsing regexp: invalid named capture: `(?<=a)b`"),
    ("(?<!a>)b", "error parsing regexp: invalid named capture: `(?<!a>`"),
])
def test_patterns_go_refuses_get_gos_error(pattern: str, error: str) -> None:
    assert regex.go_error(pattern) == error


@pytest.mark.parametrize(("pattern", "text", "matches"), [
    ("^a$", "a\n", False),  # Go's $ is the end of the text
    ("b", "abc", True),  # MatchString searches
    (r"^\p{Greek}+$", "αβγ", True),
    ("^(?i)ABC$", "abc", True),
    (r"^\d+$", "١٢٣", False),  # \d is ASCII in Go
])
def test_patterns_match_as_go_matches(pattern: str, text: str, matches: bool) -> None:
    assert regex.go_error(pattern) is None
    assert regex.matches(pattern, text) is matches


@pytest.mark.parametrize(("fmt", "good", "bad"), [
    ("date-time", ["2024-01-02T03:04:05Z", "2024-01-02T03:04:05.999-07:00"], ["2024-01-02", "2024-13-01T00:00:00Z"]),
    ("date", ["2024-02-29"], ["2023-02-29", "2024-2-1"]),
    ("duration", ["1h30m", "-1.5s", "3 days"], ["soon", ""]),
    ("ipv4", ["192.168.0.1", "010.1.1.1"], ["1.2.3", "::1", "256.1.1.1"]),
    ("ipv6", ["::1", "fe80::1"], ["1.2.3.4", "fe80::1%eth0"]),
    ("cidr", ["10.0.0.0/8", "::/0"], ["10.0.0.0/33", "10.0.0.0"]),
    ("mac", ["00:11:22:33:44:55", "0011.2233.4455"], ["00:11:22:33:44"]),
    ("uuid", ["123e4567-e89b-12d3-a456-426614174000", "123E4567E89B12D3A456426614174000"], ["123"]),
    ("hostname", ["example.com", "a"], ["-a.com", "a_b.com"]),
    ("email", ["a@example.com", "Alice <a@example.com>"], ["a@", "plain"]),
    ("uri", ["https://example.com/x?y=z", "/path"], ["relative", "http://a b/"]),
    ("byte", ["aGVsbG8="], ["abc", ""]),
    ("k8s-short-name", ["my-name"], ["My-Name", "a" * 64]),
])
def test_formats_accept_and_refuse_as_kube_openapi(fmt: str, good: list[str], bad: list[str]) -> None:
    assert all(formats.check(fmt, v) for v in good)
    assert not any(formats.check(fmt, v) for v in bad)


@pytest.mark.parametrize(("schema", "effective"), [
    ({"type": "string", "format": "date-time"}, "date-time"),
    ({"type": "string", "format": "dateTime"}, ""),
    ({"type": "integer", "format": "int32"}, "int32"),
    ({"type": "integer", "format": "date-time"}, ""),
    ({"type": "number", "format": "int32"}, ""),
    ({"type": "boolean", "format": "uuid"}, ""),
    ({"x-kubernetes-int-or-string": True, "format": "int-or-string"}, ""),
])
def test_only_formats_kube_knows_for_the_type_are_kept(schema: dict[str, object], effective: str) -> None:
    assert formats.effective_format(schema) == effective


@pytest.mark.parametrize(("value", "v", "json", "bad"), [
    (1.0, "1", "1", "1"),
    (1e6, "1e+06", "1000000", "1e+06"),
    (1e21, "1e+21", "1e+21", "1e+21"),
    (2.5e-7, "2.5e-07", "2.5e-7", "2.5e-07"),
    ("a\"b", 'a"b', '"a\\"b"', '"a\\"b"'),
    ({"b": [1, None], "a": True}, "map[a:true b:[1 <nil>]]", '{"a":true,"b":[1,null]}', '{"a":true,"b":[1,null]}'),
])
def test_values_print_as_go_prints_them(value: object, v: str, json: str, bad: str) -> None:
    assert (gorender.go_v(value), gorender.go_json(value), gorender.bad_value(value)) == (v, json, bad)
