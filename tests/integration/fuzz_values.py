"""Hostile JSON values and their text, for the request fuzzer (:mod:`tests.integration.fuzz_requests`).

Values are plain JSON trees (dict, list, str, int, float, bool, None) plus :class:`Raw` tokens: text put into a
body as it is, for what no Python value renders (numbers of thousands of digits, ``1e400``, nesting thousands
of levels deep). Strings may hold lone surrogates: the JSON renderer writes them as ``\\ud800`` escapes, the YAML
renderer as double-quoted escapes, which is how a client sends them.

    leaves (edge strings, numbers, raw tokens) --recursive--> trees
    trees --render_json / yaml_documents--> body text
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st


@dataclass(frozen=True)
class Raw:
    """Text that goes into a JSON or YAML body verbatim."""

    text: str


def deep(depth: int, kind: str) -> Raw:
    """A value nested ``depth`` levels deep (``list``: ``[[[...]]]``; ``object``: ``{"a": {"a": ...}}``)."""
    if kind == "list":
        return Raw("[" * depth + "]" * depth)
    return Raw('{"a":' * depth + "1" + "}" * depth)


EDGE_STRINGS = (
    "", " ", "a" * 300, "\ud800", "\udc00", "x\udbff", "\U0001f600", "\x00", "\x07", "\x7f", "\x85", "\u202e",
    "\ufeff", "\u2028", ".", "..", "/", "%", "%2F", "a/b", "名前", "ǅ", "0", "-1", "true", "null", "~", "yes",
    "9" * 30, "1e400", "0x1F", "1:30", "2024-01-01T00:00:00Z", "2024-13-45T99:99:99Z", "1Gi", "1.5.5", "-",
    "A" * 64, "a" * 254, "a-" * 40, "kubernetes", "v1", "Opaque", "Orphan", "All", "$patch", "\\", '"', "'",
    "{", "[", "&a", "*a", "!foo", "<<", "=", "@", "`",
)
EDGE_NUMBERS: tuple[int | float, ...] = (
    0, -1, 1, 2**31 - 1, 2**31, -(2**31) - 1, 2**53 + 1, 2**63 - 1, 2**63, 2**64 - 1, 2**64, -(2**63) - 1,
    10**30, -(10**30), 1.5, -0.0, 1e308, 5e-324, 0.1, 1e-7,
)
EDGE_RAW = (
    Raw("9" * 5000), Raw("-" + "9" * 4400), Raw("1e400"), Raw("-1e400"), Raw("1" + "0" * 400 + ".5"),
    Raw("0." + "0" * 500 + "1"), Raw("00012"), Raw("1_000"), Raw("NaN"), Raw("Infinity"),
)

keys = st.one_of(
    st.sampled_from(("a", "name", "namespace", "labels", "annotations", "spec", "status", "metadata", "data",
                     "items", "kind", "apiVersion", "$patch", "$retainKeys", "", "\ud800", "a.b", "a/b",
                     "x" * 300)),
    st.text(max_size=20),
)
leaves: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(EDGE_STRINGS),
    st.text(max_size=40),
    st.sampled_from(EDGE_NUMBERS),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
    st.sampled_from(EDGE_RAW),
    st.builds(deep, st.integers(min_value=1, max_value=3000), st.sampled_from(("list", "object"))),
)
values: st.SearchStrategy[Any] = st.recursive(
    leaves,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=12,
)


def _string(text: str) -> str:
    """A JSON string literal; ``ensure_ascii`` writes a lone surrogate as its ``\\u`` escape."""
    return json.dumps(text, ensure_ascii=True)


def render_json(value: Any, duplicate: bool = False) -> str:
    """JSON text of a value tree; ``duplicate`` writes the first key of every object twice."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, dict):
        pairs = [f"{_string(str(k))}:{render_json(v, duplicate)}" for k, v in value.items()]
        if duplicate and pairs:
            pairs.append(pairs[0])
        return "{" + ",".join(pairs) + "}"
    if isinstance(value, list):
        return "[" + ",".join(render_json(v, duplicate) for v in value) + "]"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, float):
        return repr(value)
    return json.dumps(value)


YAML_TAGS = ("!foo", "!!str", "!!int", "!!float", "!!bool", "!!null", "!!binary", "!!timestamp", "!!seq",
             "!!map", "!!python/object", "!", "!!merge", "!<tag:yaml.org,2002:int>")


@st.composite
def yaml_documents(draw: st.DrawFn, value: Any) -> str:
    """YAML text of a value tree, in block or flow style, with tags, anchors, aliases and merge keys drawn
    in here and there."""
    anchors: list[str] = []

    def scalar(item: Any) -> str:
        if isinstance(item, Raw):
            return item.text
        if isinstance(item, str):
            style = draw(st.sampled_from(("double", "double", "plain", "single")))
            if style == "plain" and item and item.isalnum() and item.isascii():
                return item
            if style == "single" and item.isprintable() and "'" not in item:
                return f"'{item}'"
            return _string(item)
        return render_json(item)

    def node(item: Any, indent: int) -> str:
        prefix = ""
        choice = draw(st.integers(min_value=0, max_value=19))
        if choice == 0:
            prefix = draw(st.sampled_from(YAML_TAGS)) + " "
        elif choice == 1:
            anchors.append(f"a{len(anchors)}")
            prefix = f"&{anchors[-1]} "
        elif choice == 2 and anchors:
            return "*" + draw(st.sampled_from(anchors))
        if isinstance(item, dict) and item and choice != 3:
            pad = " " * indent
            lines = []
            for key, child in item.items():
                lines.append(f"{pad}{_string(str(key))}:{block(child, indent + 2)}")
            if anchors and draw(st.integers(min_value=0, max_value=9)) == 0:
                lines.append(f"{pad}<<: *{draw(st.sampled_from(anchors))}")
            return prefix.rstrip() + "\n" + "\n".join(lines)
        if isinstance(item, list) and item and choice != 3:
            pad = " " * indent
            return prefix.rstrip() + "\n" + "\n".join(f"{pad}-{block(child, indent + 2)}" for child in item)
        if isinstance(item, dict | list):
            return prefix + render_json(item)  # flow style: JSON is YAML
        return prefix + scalar(item)

    def block(item: Any, indent: int) -> str:
        text = node(item, indent)
        return text if text.startswith("\n") else " " + text

    return node(value, 0).lstrip("\n")
