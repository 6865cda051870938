"""Unknown fields are pruned (and named) and defaults applied as kube does on write and read."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from gitplane.api.crd import apply_defaults, prepare_read, prepare_write, prune

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "properties": {
                "replicas": {"type": "integer", "default": 1},
                "mode": {"type": "string", "default": "fast"},
                "note": {"type": "string", "nullable": True},
                "plain": {"type": "string"},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "raw": {"type": "object", "x-kubernetes-preserve-unknown-fields": True,
                        "properties": {"known": {"type": "object", "properties": {"a": {"type": "string"}}}}},
                "template": {"type": "object", "x-kubernetes-embedded-resource": True,
                             "x-kubernetes-preserve-unknown-fields": True},
                "items": {"type": "array", "items": {"type": "object", "properties": {
                    "name": {"type": "string"}, "weight": {"type": "integer", "default": 10}}}},
                "sub": {"type": "object", "default": {}, "properties": {"depth": {"type": "integer", "default": 3}}},
            },
        },
        "status": {"type": "object", "properties": {"phase": {"type": "string"}}},
    },
}


def test_unknown_fields_are_pruned_and_named() -> None:
    obj = {"apiVersion": "example.com/v1", "kind": "Widget",
           "metadata": {"name": "w", "bogus": 1, "ownerReferences": [{"name": "o", "extra": True}]},
           "top": 1,
           "spec": {"foo": 1, "labels": {"a": "b"}, "items": [{"name": "x", "zzz": 1}],
                    "raw": {"anything": {"deep": 1}, "known": {"a": "x", "b": "y"}},
                    "template": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "junk": 1},
                                 "spec": {"whatever": True}}}}
    pruned = prune(obj, SCHEMA)
    assert pruned == ["metadata.bogus", "metadata.ownerReferences[0].extra", "spec.foo", "spec.items[0].zzz",
                      "spec.raw.known.b", "spec.template.metadata.junk", "top"]
    assert obj == {"apiVersion": "example.com/v1", "kind": "Widget",
                   "metadata": {"name": "w", "ownerReferences": [{"name": "o"}]},
                   "spec": {"labels": {"a": "b"}, "items": [{"name": "x"}],
                            "raw": {"anything": {"deep": 1}, "known": {"a": "x"}},
                            "template": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                                         "spec": {"whatever": True}}}}


def test_strict_and_warn_name_each_unknown_field() -> None:
    result = prepare_write({"apiVersion": "example.com/v1", "kind": "Widget", "spec": {"foo": 1, "bar": {}}}, SCHEMA)
    assert result.strict_errors() == ['unknown field "spec.bar"', 'unknown field "spec.foo"']
    assert result.errors == ()


def test_defaults_fill_absent_fields_and_nulls_and_nest() -> None:
    obj: dict[str, Any] = {"spec": {"replicas": None, "note": None, "plain": None, "items": [{"name": "a"}]}}
    apply_defaults(obj, SCHEMA)
    assert obj == {"spec": {"replicas": 1, "mode": "fast", "note": None, "items": [{"name": "a", "weight": 10}],
                            "sub": {"depth": 3}}}


def test_defaults_are_copies_and_reads_get_new_defaults() -> None:
    first: dict[str, Any] = {"spec": {}}
    second: dict[str, Any] = {"spec": {}}
    prepare_read(first, SCHEMA)
    prepare_read(second, SCHEMA)
    first["spec"]["sub"]["depth"] = 99
    assert second["spec"]["sub"] == {"depth": 3}
    assert SCHEMA["properties"]["spec"]["properties"]["sub"]["default"] == {}


def test_a_write_is_pruned_defaulted_then_validated() -> None:
    result = prepare_write({"spec": {"replicas": "x", "unknown": 1}}, SCHEMA)
    assert result.unknown_fields == ("spec.unknown",)
    assert [str(e) for e in result.errors] == [
        'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"']


def _json(depth: int = 3) -> st.SearchStrategy[Any]:
    scalars = st.none() | st.booleans() | st.integers(-10, 10) | st.text(max_size=3)
    keys = st.sampled_from(["spec", "status", "replicas", "labels", "raw", "items", "name", "x", "known", "a",
                            "template", "metadata", "kind", "apiVersion", "sub", "depth", "weight"])
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=4),
                        max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["spec", "status", "metadata", "kind", "other"]), _json(), max_size=4))
def test_pruning_is_idempotent(obj: dict[str, Any]) -> None:
    once = copy.deepcopy(obj)
    prune(once, SCHEMA)
    twice = copy.deepcopy(once)
    assert prune(twice, SCHEMA) == []
    assert twice == once


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["spec", "status", "other"]), _json(), max_size=3))
def test_reading_twice_changes_nothing_more(obj: dict[str, Any]) -> None:
    once = prepare_read(copy.deepcopy(obj), SCHEMA)
    assert prepare_read(copy.deepcopy(once), SCHEMA) == once


def test_additional_properties_keep_keys_and_prune_their_values() -> None:
    schema = {"type": "object", "properties": {
        "typed": {"type": "object",
                  "additionalProperties": {"type": "object", "properties": {"a": {"type": "string"}}}},
        "closed": {"type": "object", "additionalProperties": False}}}
    obj = {"typed": {"k": {"a": "x", "b": "y"}}, "closed": {"k": {"a": 1, "apiVersion": "v1"}, "n": 3}}
    assert prune(obj, schema) == ["closed.k.a", "closed.k.apiVersion", "typed.k.b"]
    assert obj == {"typed": {"k": {"a": "x"}}, "closed": {"k": {}, "n": 3}}


def test_preserve_unknown_fields_at_the_root_keeps_everything_unknown() -> None:
    schema = {"type": "object", "x-kubernetes-preserve-unknown-fields": True,
              "properties": {"spec": {"type": "object", "properties": {"a": {"type": "string"}}}}}
    obj = {"anything": {"x": 1}, "spec": {"a": "1", "b": 2}}
    assert prune(obj, schema) == ["spec.b"]
    assert obj == {"anything": {"x": 1}, "spec": {"a": "1"}}
