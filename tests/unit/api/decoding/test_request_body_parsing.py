"""Request bodies parsed as JSON or YAML the way kube reads them, and duplicate keys found by path."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitplane.api import decoding, errors


@pytest.mark.parametrize(("body", "fragment"), [
    pytest.param(b"", "empty document", id="empty"),
    pytest.param(b'{"a" 1}', "expected ':' after key: line 1 column 6", id="missing-colon"),
    pytest.param(b'{"a": 1', "unexpected end of data: line 1 column 8", id="truncated"),
    pytest.param(b"\xff", "not valid UTF-8", id="bad-utf8"),
])
def test_malformed_json_is_a_bad_request_naming_problem_and_position(body: bytes, fragment: str) -> None:
    """Malformed JSON answers 400 saying what is wrong and where."""
    with pytest.raises(errors.APIError) as caught:
        decoding.parse_json(body)
    assert caught.value.code == 400
    assert caught.value.message.startswith("the request body is not valid JSON: ")
    assert fragment in caught.value.message


@pytest.mark.parametrize(("body", "value"), [
    pytest.param(b"a: b\nc: 1\n", {"a": "b", "c": 1}, id="mapping"),
    pytest.param(b"flags: [yes, no, on, off, y, true]\n", {"flags": [True, False, True, False, True, True]},
                 id="yaml-1.1-booleans"),
    pytest.param(b"mode: 0644\n", {"mode": 420}, id="yaml-1.1-octal"),
    pytest.param(b"at: 2024-01-01T00:00:00Z\nday: 2024-01-01\n",
                 {"at": "2024-01-01T00:00:00Z", "day": "2024-01-01"}, id="timestamps-stay-strings"),
    pytest.param(b"1: a\ntrue: b\n~: c\n", {"1": "a", "true": "b", "null": "c"}, id="keys-become-strings"),
    pytest.param(b"a: 1\na: 2\n", {"a": 2}, id="last-duplicate-wins"),
    pytest.param(b"base: &b {p: 1, q: 2}\nderived:\n  <<: *b\n  q: 3\n",
                 {"base": {"p": 1, "q": 2}, "derived": {"p": 1, "q": 3}}, id="merge-keys"),
    pytest.param(b'{"apiVersion": "v1", "data": {"a": "1"}}', {"apiVersion": "v1", "data": {"a": "1"}},
                 id="json-body"),
    pytest.param(b"{a: b}", {"a": "b"}, id="flow-style-yaml"),
    pytest.param(b"", None, id="empty"),
])
def test_yaml_bodies_read_as_kubes_yaml_reader(body: bytes, value: Any) -> None:
    """YAML 1.1 scalars, string keys, timestamps as strings and merge keys, as sigs.k8s.io/yaml reads them."""
    assert decoding.parse_yaml(body) == value


@pytest.mark.parametrize(("body", "message"), [
    pytest.param(b"a: b: c\n", "line 1: mapping values are not allowed here", id="syntax"),
    pytest.param(b"a: 1\n---\nb: 2\n", "line 2: the body holds more than one YAML document",
                 id="two-documents"),
    pytest.param(b"a: 1\nb: .inf\n", "line 2: .inf is not a JSON number", id="infinity"),
])
def test_malformed_yaml_is_a_bad_request_naming_the_line(body: bytes, message: str) -> None:
    """Malformed YAML, several documents and non-JSON values answer 400 naming the line."""
    with pytest.raises(errors.APIError) as caught:
        decoding.parse_yaml(body)
    assert caught.value.code == 400
    assert caught.value.message == "error converting YAML to JSON: yaml: " + message


def test_alias_bombs_are_refused() -> None:
    """Aliases that expand exponentially are refused instead of exhausting memory."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    with pytest.raises(errors.APIError) as caught:
        decoding.parse_yaml("\n".join(lines).encode())
    assert "excessive aliasing" in caught.value.message


@pytest.mark.parametrize(("body", "paths"), [
    pytest.param(b'{"a": 1, "b": 2}', [], id="none"),
    pytest.param(b'{"a": 1, "a": 2, "a": 3}', ["a"], id="reported-once"),
    pytest.param(b'{"metadata": {"labels": {"x": "1", "x": "2"}}}', ["metadata.labels.x"], id="nested"),
    pytest.param(b'{"spec": {"ports": [{"name": "a"}, {"name": "b", "name": "c"}]}}', ["spec.ports[1].name"],
                 id="in-list-item"),
    pytest.param(b'{"x": [[{"y": 1, "y": 2}]]}', ["x[0][0].y"], id="nested-lists"),
    pytest.param(b'{"b": {"c": 1, "c": 2}, "a": 1, "a": 2}', ["b.c", "a"], id="document-order"),
    pytest.param(b"a: 1\nb:\n  c: 1\n  c: 2\n  d: [{e: 1, e: 2}]\na: 2\n", ["b.c", "b.d[0].e", "a"],
                 id="yaml"),
    pytest.param(b"not: [valid", [], id="unparsable"),
])
def test_duplicate_fields_are_found_by_path(body: bytes, paths: list[str]) -> None:
    """Every duplicated key is reported once, by its path, in document order."""
    assert decoding.find_duplicate_fields(body) == paths


Tree = Any
_keys = st.sampled_from(["a", "b", "c"])
_trees: st.SearchStrategy[Tree] = st.recursive(
    st.integers(min_value=0, max_value=9),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda items: ("list", items)),
        st.lists(st.tuples(_keys, inner), max_size=4).map(lambda pairs: ("object", pairs))),
    max_leaves=12)


def _render(tree: Tree) -> str:
    if isinstance(tree, int):
        return str(tree)
    tag, children = tree
    if tag == "list":
        return "[" + ", ".join(_render(child) for child in children) + "]"
    return "{" + ", ".join(f'"{key}": {_render(child)}' for key, child in children) + "}"


def _expected(tree: Tree, path: str, found: list[str]) -> None:
    if isinstance(tree, int):
        return
    tag, children = tree
    if tag == "list":
        for index, child in enumerate(children):
            _expected(child, f"{path}[{index}]", found)
        return
    seen: set[str] = set()
    for key, child in children:
        child_path = f"{path}.{key}" if path else key
        if key in seen and child_path not in found:
            found.append(child_path)
        seen.add(key)
        _expected(child, child_path, found)


@given(_trees)
def test_duplicates_in_any_json_document_are_found_where_they_are(tree: Tree) -> None:
    """For any JSON text, the paths of repeated keys are those in the document, in order, once each."""
    found: list[str] = []
    _expected(tree, "", found)
    body = _render(tree).encode()
    orjson.loads(body)
    assert decoding.find_duplicate_fields(body) == found
