"""Each rule is compiled once per schema content: validating and re-registering compile nothing."""

from __future__ import annotations

import copy
from types import SimpleNamespace

from gitplane.api.cel import compile_count, compile_schema


def test_validating_many_objects_compiles_each_rule_once(cel: SimpleNamespace) -> None:
    schema = cel.spec_schema({"rule": "self.minReplicas <= self.maxReplicas"},
                             {"rule": "self.name.startsWith('x-') || self.name == 'compile-once-marker'"})
    before = compile_count()
    compiled = compile_schema(schema)
    assert compile_count() - before == 2
    for replicas in range(50):
        compiled.validate({"spec": {"minReplicas": replicas, "maxReplicas": 10, "name": "x-a"}})
    again = compile_schema(copy.deepcopy(schema))
    assert again is compiled
    assert compile_count() - before == 2


def test_a_changed_schema_is_compiled_again(cel: SimpleNamespace) -> None:
    schema = cel.spec_schema({"rule": "self.minReplicas >= 0 || self.name == 'changed-schema-marker'"})
    first = compile_schema(schema)
    before = compile_count()
    schema["properties"]["spec"]["x-kubernetes-validations"].append({"rule": "self.maxReplicas >= 0"})
    second = compile_schema(schema)
    assert second is not first and second.rule_count == 2
    assert compile_count() - before == 2
