"""Fixtures for the patch tests: built-in type schemas, and a strategic patcher that guards its inputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import pytest

from gitplane.api import builtin_schemas
from gitplane.api.patch import strategic as strategic_patch
from gitplane.api.schema import Schema

SchemaOf = Callable[[str], Schema]
StrategicPatcher = Callable[[str, dict[str, Any], object], dict[str, Any]]


@pytest.fixture(scope="session")
def schema_of() -> SchemaOf:
    """Look up the schema of a built-in type by definition name (``io.k8s.api.core.v1.Pod``)."""
    definitions = builtin_schemas.builtin_definitions()

    def lookup(name: str) -> Schema:
        return Schema.named(name, definitions)

    return lookup


@pytest.fixture(scope="session")
def strategic(schema_of: SchemaOf) -> StrategicPatcher:
    """Apply a strategic merge patch to an object of a built-in type, checking that no input is mutated."""

    def apply(type_name: str, live: dict[str, Any], patch: object) -> dict[str, Any]:
        before = (orjson.dumps(live), orjson.dumps(patch))
        result = strategic_patch.apply_strategic_merge_patch(live, patch, schema_of(type_name))
        assert (orjson.dumps(live), orjson.dumps(patch)) == before
        return result

    return apply
