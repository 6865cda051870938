"""FieldsV1: field sets written and read exactly as kube-apiserver writes and reads them."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitplane.api.apply import fieldpath, fieldsv1
from gitplane.api.apply.fieldpath import FieldSet


def test_a_map_created_by_an_update_is_written_with_a_dot_entry() -> None:
    """A node that is both a member and has children is written with ``".": {}`` first."""
    fields = FieldSet.from_paths([("f:data",), ("f:data", "f:k")])
    assert orjson.dumps(fieldsv1.to_fields_v1(fields)) == b'{"f:data":{".":{},"f:k":{}}}'


def test_elements_are_ordered_fields_keys_values_then_indexes() -> None:
    """Keys of one level follow structured-merge-diff's element order, not string order."""
    fields = FieldSet.from_paths([("i:1",), ('v:"b"',), ("v:2",), ('k:{"name":"z"}',), ('k:{"name":"a"}',),
                                  ("f:zeta",), ("f:alpha",)])
    assert list(fieldsv1.to_fields_v1(fields)) == [
        "f:alpha", "f:zeta", 'k:{"name":"a"}', 'k:{"name":"z"}', "v:2", 'v:"b"', "i:1"]


def test_values_order_numbers_before_strings_before_booleans() -> None:
    """Set elements of mixed types sort numbers first, then strings, then booleans."""
    fields = FieldSet.from_paths([("v:true",), ('v:"a"',), ("v:10",), ("v:9.5",)])
    assert list(fieldsv1.to_fields_v1(fields)) == ["v:9.5", "v:10", 'v:"a"', "v:true"]


def test_key_elements_are_canonicalized_when_read() -> None:
    """A client may write key objects with any key order or spacing; they are read as kube writes them."""
    fields = fieldsv1.from_fields_v1({'k:{ "protocol": "TCP", "containerPort": 80 }': {".": {}}})
    assert fields.members == {'k:{"containerPort":80,"protocol":"TCP"}'}


def test_html_characters_are_escaped_as_go_does() -> None:
    """``<``, ``>`` and ``&`` inside keys and values are written as Go's encoder writes them."""
    assert fieldpath.value_element("a<b>&c") == 'v:"a\\u003cb\\u003e\\u0026c"'
    assert fieldpath.key_element({"name": "<x>"}) == 'k:{"name":"\\u003cx\\u003e"}'


def test_integral_floats_are_written_as_integers() -> None:
    """Go writes ``float64(80)`` as ``80``."""
    assert fieldpath.key_element({"port": 80.0}) == 'k:{"port":80}'


@pytest.mark.parametrize(("encoded", "members", "children"), [
    pytest.param({"f:a": {}}, {"f:a"}, set(), id="empty-object-is-member"),
    pytest.param({"f:a": {".": {}}}, {"f:a"}, set(), id="dot-only-is-member"),
    pytest.param({"f:a": {"f:b": {}}}, set(), {"f:a"}, id="children-only-is-not-member"),
    pytest.param({"f:a": {".": {}, "f:b": {}}}, {"f:a"}, {"f:a"}, id="dot-and-children-is-both"),
    pytest.param({"x:future": {}, "f:a": {}}, {"f:a"}, set(), id="unknown-element-type-skipped"),
])
def test_membership_is_read_as_kube_reads_it(encoded: dict[str, Any], members: set[str],
                                            children: set[str]) -> None:
    """``{}`` and ``".": {}`` mark members; an element with only children is not one."""
    fields = fieldsv1.from_fields_v1(encoded)
    assert (set(fields.members), set(fields.children)) == (members, children)


@pytest.mark.parametrize("encoded", [
    pytest.param({"f": {}}, id="too-short"),
    pytest.param({"fx": {}}, id="missing-colon"),
    pytest.param({'k:{"a":': {}}, id="bad-key-json"),
    pytest.param({'k:"a"': {}}, id="key-not-object"),
    pytest.param({"i:x": {}}, id="bad-index"),
    pytest.param({"f:a": "nope"}, id="value-not-object"),
])
def test_malformed_fields_are_rejected(encoded: dict[str, Any]) -> None:
    """Malformed FieldsV1 raises ValueError, so callers can fall back as kube does."""
    with pytest.raises(ValueError, match=r"\S"):
        fieldsv1.from_fields_v1(encoded)


_names = st.text(alphabet=st.characters(codec="utf-8"), max_size=6)
_scalars = st.one_of(st.integers(-10**6, 10**6), st.booleans(), _names,
                     st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: not f.is_integer()))
_elements = st.one_of(
    _names.map(fieldpath.field),
    st.dictionaries(_names, _scalars, min_size=1, max_size=3).map(fieldpath.key_element),
    _scalars.map(fieldpath.value_element),
)
_paths = st.lists(_elements, min_size=1, max_size=4).map(tuple)


@given(st.lists(_paths, max_size=12))
def test_any_field_set_survives_a_round_trip(paths: list[tuple[str, ...]]) -> None:
    """Encoding then decoding (through JSON bytes, as stored) gives the same set back."""
    fields = FieldSet.from_paths(paths)
    stored = orjson.loads(orjson.dumps(fieldsv1.to_fields_v1(fields)))
    assert fieldsv1.from_fields_v1(stored) == fields


@given(st.lists(_paths, max_size=12))
def test_encoding_is_canonical(paths: list[tuple[str, ...]]) -> None:
    """The same set always encodes to the same bytes, whatever order its paths were added in."""
    forward = orjson.dumps(fieldsv1.to_fields_v1(FieldSet.from_paths(paths)))
    backward = orjson.dumps(fieldsv1.to_fields_v1(FieldSet.from_paths(reversed(paths))))
    assert forward == backward
