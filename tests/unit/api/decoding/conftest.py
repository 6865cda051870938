"""Fixtures for the typed-decoding tests: schemas of the built-in types and a decoder that reports errors."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from gitplane.api import builtin_schemas, decoding
from gitplane.api.schema import Schema
from tests.unit.api.decoding.decoding_helpers import KINDS, Decode, SchemaOf


@pytest.fixture(scope="session")
def schema_of() -> SchemaOf:
    """The schema of a built-in kind by short name (``ConfigMap``, ``Lease``; see ``KINDS``)."""
    definitions = builtin_schemas.builtin_definitions()

    def lookup(kind: str) -> Schema:
        return Schema.named(KINDS[kind], definitions)

    return lookup


@pytest.fixture
def decode(schema_of: SchemaOf) -> Callable[..., list[str]]:
    """``decode(obj, kind="ConfigMap", mode="Strict", duplicates=())``: decode in place, return warnings."""

    def run(obj: dict[str, Any], kind: str = "ConfigMap", mode: decoding.FieldValidation = "Strict",
            duplicates: Sequence[str] = ()) -> list[str]:
        return decoding.decode_typed(obj, schema_of(kind), mode=mode, duplicate_fields=duplicates)

    return run


@pytest.fixture
def decode_error(decode: Decode) -> Callable[..., decoding.TypedDecodeError]:
    """``decode_error(obj, kind=...)``: the error decoding ``obj`` in Strict mode must raise."""

    def run(obj: dict[str, Any], kind: str = "ConfigMap", duplicates: Sequence[str] = ()) -> (
            decoding.TypedDecodeError):
        with pytest.raises(decoding.TypedDecodeError) as caught:
            decode(obj, kind, "Strict", duplicates)
        assert caught.value.code == 400
        assert caught.value.reason == "BadRequest"
        return caught.value

    return run
