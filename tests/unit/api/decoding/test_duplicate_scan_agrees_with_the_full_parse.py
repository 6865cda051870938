"""The fast duplicate check (colons in the text against keys of the parsed objects) agrees with the
full second parse on every JSON body: the same paths when there are duplicates, none when there are not,
whatever the strings hold (escaped quotes, backslashes, colons, braces, non-ASCII, invalid UTF-8)."""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from gitplane.api.decoding import find_duplicate_fields, parse_json

KEYS = st.sampled_from(["a", "b", 'q"uote', "back\\slash", "co:lon", "{", "é", "\u2028"])
STRINGS = st.one_of(st.text(max_size=12), st.sampled_from(['":', '\\', '"}', "\\u0041", '{"a":1}']))


def render_string(text: str) -> str:
    return orjson.dumps(text).decode()


@st.composite
def documents(draw: st.DrawFn, depth: int = 0) -> str:
    """JSON text of an object whose keys may repeat, with odd spacing."""
    space = draw(st.sampled_from(["", " ", "\n  "]))
    members = []
    for _ in range(draw(st.integers(0, 4))):
        key = render_string(draw(KEYS))
        if depth < 3 and draw(st.booleans()):
            value = draw(documents(depth + 1))
            if draw(st.booleans()):
                value = f"[{value},{space}{render_string(draw(STRINGS))}]"
        else:
            value = draw(st.one_of(STRINGS.map(render_string), st.integers().map(str),
                                   st.sampled_from(["true", "null", "[]", "1.5e3"])))
        members.append(f"{key}{space}:{space}{value}")
    return "{" + f",{space}".join(members) + "}"


@settings(max_examples=400, deadline=None)
@given(documents())
def test_the_scan_and_the_parse_agree(text: str) -> None:
    body = text.encode()
    parsed: Any = parse_json(body)
    assert find_duplicate_fields(body, parsed) == find_duplicate_fields(body)


def test_invalid_utf8_keys_that_read_alike_are_still_found() -> None:
    body = b'{"a\xff": 1, "a\xfe": 2}'  # both read as "a\ufffd", as Go reads them
    assert find_duplicate_fields(body, parse_json(body)) == find_duplicate_fields(body) == ["a\ufffd"]


def test_colons_in_values_and_escaped_colons_in_keys_are_no_keys() -> None:
    for body in (b'{"a": "x\\":", "b": 1}', b'{"t": "2026-01-01T00:00:00Z", "t": 2}', b'{"a\\u003a": 1, "a:": 2}'):
        assert find_duplicate_fields(body, parse_json(body)) == find_duplicate_fields(body)
