"""Bodies that used to end in a 500 are read as kube reads them, or refused with a 400 naming the problem:
lone surrogates, YAML tags, numbers beyond 64 bits, deep nesting."""

from __future__ import annotations

from typing import Any

import pytest

from gitplane.api import decoding, errors

YAML_PREFIX = "error converting YAML to JSON: yaml: "


def bad_request(call: Any) -> str:
    with pytest.raises(errors.APIError) as caught:
        call()
    assert caught.value.code == 400
    return caught.value.message


@pytest.mark.parametrize(("body", "value"), [
    pytest.param(rb'{"a": "\ud800"}', {"a": "\ufffd"}, id="lone-high"),
    pytest.param(rb'{"a": "x\udc00y"}', {"a": "x\ufffdy"}, id="lone-low"),
    pytest.param(rb'{"a": "\ud800\ud83d\ude00"}', {"a": "\ufffd\U0001f600"}, id="lone-then-pair"),
    pytest.param(rb'{"\ud800": 1}', {"\ufffd": 1}, id="in-a-key"),
    pytest.param(rb'{"a": "\\ud800"}', {"a": "\\ud800"}, id="escaped-backslash-is-no-escape"),
    pytest.param(b'{"a": "\xff\xed\xa0\x80"}', {"a": "\ufffd" * 4}, id="not-utf8"),
])
def test_json_strings_read_as_gos_decoder_reads_them(body: bytes, value: Any) -> None:
    """Go's encoding/json puts U+FFFD for lone surrogate escapes and for each byte that is not UTF-8."""
    assert decoding.parse_json(body) == value


def test_json_that_is_malformed_besides_names_the_first_problem() -> None:
    """Replacing does not hide a real syntax error."""
    assert "not valid JSON" in bad_request(lambda: decoding.parse_json(rb'{"a": "\ud800",}'))


def test_duplicate_keys_with_lone_surrogates_are_named_with_replacement_characters() -> None:
    """The paths in 'duplicate field' warnings are sendable text."""
    assert decoding.find_duplicate_fields(rb'{"\ud800": 1, "\ud800": 2}') == ["\ufffd"]


@pytest.mark.parametrize("body", [
    pytest.param(b'data: {a: "\\ud800"}\n', id="escape"),
    pytest.param(b'data: {"\\udc00": a}\n', id="in-a-key"),
    pytest.param(b'{"data": {"a": "\\ud800"}}', id="json-as-yaml"),
])
def test_yaml_surrogate_escapes_are_refused_as_go_yaml_refuses_them(body: bytes) -> None:
    """go-yaml: 'found invalid Unicode character escape code', with the line."""
    assert bad_request(lambda: decoding.parse_yaml(body)) == \
        YAML_PREFIX + "line 1: found invalid Unicode character escape code"


def test_a_yaml_escape_beyond_unicode_is_refused() -> None:
    assert bad_request(lambda: decoding.parse_yaml(b'a: "\\U0011ffff"\n')) == \
        YAML_PREFIX + "found invalid Unicode character escape code"


@pytest.mark.parametrize(("body", "value"), [
    pytest.param(b"a: !foo x\n", {"a": "x"}, id="unknown-tag-keeps-the-text"),
    pytest.param(b"a: !foo {b: 1}\n", {"a": {"b": 1}}, id="unknown-tag-on-a-mapping"),
    pytest.param(b"a: !!seq x\n", {"a": "x"}, id="collection-tag-on-a-scalar"),
    pytest.param(b"a: !!float 1\n", {"a": 1.0}, id="int-as-float"),
    pytest.param(b"a: !!str 12\n", {"a": "12"}, id="str-tag"),
    pytest.param(b"a: =\n", {"a": "="}, id="yaml-1.1-value-key"),
    pytest.param(b"a: 1:30\n", {"a": "1:30"}, id="no-sexagesimal"),
    pytest.param(b"a: 18446744073709551615\n", {"a": 2**64 - 1}, id="uint64"),
    pytest.param(b"a: 18446744073709551616\n", {"a": 1.8446744073709552e19}, id="beyond-uint64-a-float"),
    pytest.param(b"a: " + b"9" * 5000 + b"\n", {"a": "9" * 5000}, id="beyond-any-float-the-text"),
    pytest.param(b"a: 1e400\n", {"a": "1e400"}, id="float-literal-too-large"),
    pytest.param(b"a: 0x" + b"f" * 20 + b"\n", {"a": "0x" + "f" * 20}, id="big-hex-the-text"),
])
def test_yaml_scalars_resolve_as_go_yaml_resolves_them(body: bytes, value: Any) -> None:
    """Tags go-yaml cannot resolve keep the text; integers past 64 bits become floats or stay text."""
    assert decoding.parse_yaml(body) == value


@pytest.mark.parametrize(("body", "message"), [
    pytest.param(b"a: !!int abc\n", "cannot decode !!str `abc` as a !!int", id="int"),
    pytest.param(b"a: !!bool abc\n", "cannot decode !!str `abc` as a !!bool", id="bool"),
    pytest.param(b"a: !!null abc\n", "cannot decode !!str `abc` as a !!null", id="null"),
    pytest.param(b"a: !!timestamp abc\n", "cannot decode !!str `abc` as a !!timestamp", id="timestamp"),
    pytest.param(b"a: !!int 1.5\n", "cannot decode !!float `1.5` as a !!int", id="float-as-int"),
    pytest.param(b"a: !!int\n", "cannot decode !!null `` as a !!int", id="empty"),
])
def test_a_yaml_tag_that_does_not_fit_its_text_is_refused(body: bytes, message: str) -> None:
    """go-yaml v2's wording."""
    assert bad_request(lambda: decoding.parse_yaml(body)) == YAML_PREFIX + message


def test_values_nested_past_the_limit_are_refused() -> None:
    """MAX_DEPTH levels are read; one more is refused (later steps recurse, and the store stops at 254)."""
    depth = decoding.MAX_DEPTH
    decoding.check_depth(decoding.parse_json(b"[" * depth + b"]" * depth))
    deeper = decoding.parse_json(b'{"a":' * (depth + 1) + b"1" + b"}" * (depth + 1))
    assert bad_request(lambda: decoding.check_depth(deeper)) == \
        f"the request body nests more than {depth} levels deep"
