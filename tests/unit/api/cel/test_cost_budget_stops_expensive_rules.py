"""Rules over their cost stop validation with kube's errors; the estimate grows with loops and value size."""

from __future__ import annotations

from gitplane.api.cel import compile_schema, cost, evaluate, lexer

NESTED = "self.all(a, self.all(b, self.all(c, a + b + c != 'x')))"


def _list_schema(rule: str) -> dict[str, object]:
    return {"type": "array", "items": {"type": "string"}, "x-kubernetes-validations": [{"rule": rule}]}


def test_cheap_rules_cost_their_operations() -> None:
    shape = lexer.shape("self.minReplicas <= self.maxReplicas")
    assert shape.loop_depth == 0
    assert cost.estimate(shape, 10_000, 0) == shape.operations


def test_nested_loops_grow_with_the_value() -> None:
    shape = lexer.shape(NESTED)
    assert shape.loop_depth == 3
    assert cost.estimate(shape, 10, 0) < cost.estimate(shape, 100, 0) < cost.estimate(shape, 1000, 0)


def test_a_rule_over_the_per_call_limit_is_not_run_and_stops_validation() -> None:
    compiled = compile_schema(_list_schema(NESTED), root=False)
    assert compiled.validate(["a"] * 5) == []
    errors = [str(e) for e in compiled.validate(["a"] * 200)]
    assert errors == [
        "<nil>: Invalid value: \"array\": 'operation cancelled: actual cost limit exceeded': no further validation "
        f"rules will be run due to call cost exceeds limit for rule: {NESTED}"]


def test_the_object_budget_is_shared_by_every_node() -> None:
    schema = {"type": "object", "properties": {"items": {
        "type": "array", "items": {"type": "object", "properties": {"v": {"type": "string"}},
                                   "x-kubernetes-validations": [{"rule": "self.v.size() < 100"}]}}}}
    compiled = compile_schema(schema, root=False)
    obj = {"items": [{"v": "x"} for _ in range(20)]}
    assert compiled.validate(obj) == []
    assert compiled.root is not None
    found = [str(e) for e in evaluate.validate(compiled.root, obj, None, budget=40)]
    assert found[-1].endswith("validation failed due to running out of cost budget, no further validation rules "
                              "will be run")
    assert found[-1].startswith("items[")
    assert len(found) == 1
