"""Property: for any replica numbers and names, the compiled rules decide exactly as the same logic in Python."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from gitplane.api.cel import compile_schema

RULES = [
    {"rule": "self.minReplicas <= self.maxReplicas", "message": "order"},
    {"rule": "self.name.startsWith('x-') || self.name.matches('^[a-z]+$')", "message": "name"},
    {"rule": "self.weights.sum() == 100", "message": "sum"},
]
SCHEMA = {"type": "object", "x-kubernetes-validations": RULES, "properties": {
    "minReplicas": {"type": "integer"}, "maxReplicas": {"type": "integer"}, "name": {"type": "string"},
    "weights": {"type": "array", "items": {"type": "integer"}}}}
COMPILED = compile_schema(SCHEMA, root=False)


def _expected(obj: dict[str, object]) -> list[str]:
    import re
    out = []
    if not obj["minReplicas"] <= obj["maxReplicas"]:  # type: ignore[operator]
        out.append("order")
    name = str(obj["name"])
    if not (name.startswith("x-") or re.search("^[a-z]+$", name)):
        out.append("name")
    if sum(obj["weights"]) != 100:  # type: ignore[arg-type]
        out.append("sum")
    return out


@settings(max_examples=200, deadline=None)
@given(st.fixed_dictionaries({
    "minReplicas": st.integers(-2**40, 2**40), "maxReplicas": st.integers(-2**40, 2**40),
    "name": st.text(alphabet="ax-Z9", max_size=6),
    "weights": st.lists(st.integers(0, 100), max_size=4)}))
def test_compiled_rules_match_python(obj: dict[str, object]) -> None:
    errors = COMPILED.validate(obj)
    assert [e.detail.rsplit(": ", 1)[-1] for e in errors] == _expected(obj)
    assert all(e.field == "<nil>" for e in errors)


def test_fixture_is_used(cel: SimpleNamespace) -> None:
    assert cel.messages(COMPILED, {"minReplicas": 1, "maxReplicas": 0, "name": "a", "weights": [100]}) == [
        '<nil>: Invalid value: "object": order']
