"""Any object that matches its type's schema decodes unchanged, with no warnings, in Strict mode."""

from __future__ import annotations

import base64
import copy
from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gitplane.api import decoding
from gitplane.api.decoding_plan import Kind, Plan, plan_for
from gitplane.api.schema import Schema
from tests.unit.api.decoding.decoding_helpers import KINDS, SchemaOf

_MAX_DEPTH = 4
_times = st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1))
_json_leaves = st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.text(max_size=5))
_any_json = st.recursive(_json_leaves, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)), max_leaves=6)
_quantities = st.one_of(st.integers(0, 10**6), st.from_regex(r"[0-9]{1,4}(\.[0-9]{1,2})?(m|k|Mi|Gi)?",
                                                             fullmatch=True))
_SCALARS: dict[Kind, st.SearchStrategy[Any]] = {
    Kind.STRING: st.text(max_size=8),
    Kind.BYTES: st.binary(max_size=8).map(lambda raw: base64.b64encode(raw).decode()),
    Kind.TIME: _times.map(lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")),
    Kind.MICRO_TIME: _times.map(lambda t: t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")),
    Kind.NUMBER: st.one_of(st.integers(-1000, 1000), st.floats(allow_nan=False, allow_infinity=False)),
    Kind.BOOLEAN: st.booleans(),
    Kind.INT_OR_STRING: st.one_of(st.integers(-(2**31), 2**31 - 1), st.text(max_size=5)),
    Kind.QUANTITY: _quantities,
    Kind.ANY: _any_json.filter(lambda value: value is not None),
}


def valid_values(plan: Plan, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values Go decodes into the plan's type without error (and without nulls, which Go rewrites)."""
    if plan.kind is Kind.INTEGER:
        bound = 2 ** (plan.bits - 1)
        return st.integers(-bound, bound - 1)
    if plan.kind in _SCALARS:
        return _SCALARS[plan.kind]
    if depth >= _MAX_DEPTH:
        return st.just({} if plan.kind in (Kind.STRUCT, Kind.MAP) else [])
    if plan.kind is Kind.STRUCT:
        fields = {name: valid_values(field.plan, depth + 1) for name, field in plan.fields.items()}
        return st.fixed_dictionaries({}, optional=fields)
    element = valid_values(plan.element or Plan(), depth + 1)
    if plan.kind is Kind.MAP:
        return st.dictionaries(st.text(max_size=6), element, max_size=3)
    return st.lists(element, max_size=2)


@pytest.mark.parametrize("kind", sorted(KINDS))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_schema_valid_objects_decode_unchanged(schema_of: SchemaOf, kind: str, data: st.DataObject) -> None:
    """Decoding a schema-valid object changes nothing and reports nothing, even in Strict mode."""
    schema: Schema = schema_of(kind)
    obj = data.draw(valid_values(plan_for(schema)))
    original = copy.deepcopy(obj)
    assert decoding.decode_typed(obj, schema, mode="Strict") == []
    assert obj == original
