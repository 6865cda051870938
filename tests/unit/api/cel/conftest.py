"""Fixtures: build a schema with rules on ``spec``, compile it, and read errors as kube prints them."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from gitplane.api.cel import CompiledSchemaRules, compile_schema

DEFAULT_PROPERTIES = {"minReplicas": {"type": "integer"}, "maxReplicas": {"type": "integer"},
                      "name": {"type": "string"}}


def spec_schema(*rules: dict[str, Any], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": {"spec": {
        "type": "object", "x-kubernetes-validations": list(rules), "properties": properties or DEFAULT_PROPERTIES}}}


def compiled(*rules: dict[str, Any], **properties: Any) -> CompiledSchemaRules:
    result = compile_schema(spec_schema(*rules, **properties))
    assert not result.errors, [str(e) for e in result.errors]
    return result


def messages(result: CompiledSchemaRules, obj: Any, old: Any = None) -> list[str]:
    return [str(e) for e in result.validate(obj, old)]


@pytest.fixture
def cel() -> SimpleNamespace:
    return SimpleNamespace(spec_schema=spec_schema, compiled=compiled, messages=messages)
