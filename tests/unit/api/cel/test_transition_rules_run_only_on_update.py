"""A rule that names oldSelf runs only when an old value exists, unless optionalOldSelf makes oldSelf optional."""

from __future__ import annotations

from types import SimpleNamespace

from gitplane.api.cel import compile_schema

IMMUTABLE = {"rule": "self.name == oldSelf.name", "message": "name is immutable"}


def test_transition_rule_is_skipped_on_create(cel: SimpleNamespace) -> None:
    rules = cel.compiled(IMMUTABLE)
    assert cel.messages(rules, {"spec": {"name": "a"}}) == []


def test_transition_rule_runs_on_update(cel: SimpleNamespace) -> None:
    rules = cel.compiled(IMMUTABLE)
    assert cel.messages(rules, {"spec": {"name": "a"}}, {"spec": {"name": "b"}}) == [
        'spec: Invalid value: "object": name is immutable']
    assert cel.messages(rules, {"spec": {"name": "a"}}, {"spec": {"name": "a"}}) == []


def test_transition_rule_is_skipped_where_the_old_object_lacks_the_node(cel: SimpleNamespace) -> None:
    rules = cel.compiled(IMMUTABLE)
    assert cel.messages(rules, {"spec": {"name": "a"}}, {"metadata": {}}) == []


def test_a_string_or_field_named_old_self_is_not_a_transition(cel: SimpleNamespace) -> None:
    rules = cel.compiled({"rule": "self.name != 'oldSelf'"})
    assert cel.messages(rules, {"spec": {"name": "oldSelf"}}) == [
        "spec: Invalid value: \"object\": failed rule: self.name != 'oldSelf'"]


def test_optional_old_self_runs_on_create_with_an_empty_optional(cel: SimpleNamespace) -> None:
    rule = {"rule": "!oldSelf.hasValue() || self.name == oldSelf.value().name", "optionalOldSelf": True,
            "message": "immutable once set"}
    rules = cel.compiled(rule)
    assert cel.messages(rules, {"spec": {"name": "a"}}) == []
    assert cel.messages(rules, {"spec": {"name": "a"}}, {"spec": {"name": "b"}}) == [
        'spec: Invalid value: "object": immutable once set']
    first_create_only = cel.compiled({"rule": "oldSelf.hasValue()", "optionalOldSelf": True})
    assert cel.messages(first_create_only, {"spec": {"name": "a"}}) == [
        'spec: Invalid value: "object": failed rule: oldSelf.hasValue()']


def test_map_list_items_pair_with_old_items_by_key(cel: SimpleNamespace) -> None:
    schema = {"type": "object", "properties": {"ports": {
        "type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
        "items": {"type": "object", "properties": {"name": {"type": "string"}, "port": {"type": "integer"}},
                  "x-kubernetes-validations": [{"rule": "self.port == oldSelf.port", "message": "fixed"}]}}}}
    rules = compile_schema(schema, root=False)
    old = {"ports": [{"name": "a", "port": 1}, {"name": "b", "port": 2}]}
    new = {"ports": [{"name": "b", "port": 3}, {"name": "c", "port": 9}, {"name": "a", "port": 1}]}
    assert cel.messages(rules, new, old) == ['ports[0]: Invalid value: "object": fixed']
    atomic = {**schema, "properties": {"ports": {**schema["properties"]["ports"], "x-kubernetes-list-type": "atomic"}}}
    assert cel.messages(compile_schema(atomic, root=False), new, old) == []
