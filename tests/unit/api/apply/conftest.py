"""Schemas and shorthands shared by the server-side apply tests."""

from __future__ import annotations

from typing import Any

import pytest

from gitplane.api import builtin_schemas
from gitplane.api.apply import manager
from gitplane.api.schema import Definitions, Schema
from tests.unit.api.apply.apply_helpers import T1, T2, WIDGET_SCHEMA, Apply


@pytest.fixture(scope="session")
def definitions() -> Definitions:
    return builtin_schemas.builtin_definitions()


@pytest.fixture(scope="session")
def configmap_schema(definitions: Definitions) -> Schema:
    return Schema.named("io.k8s.api.core.v1.ConfigMap", definitions)


@pytest.fixture(scope="session")
def deployment_schema(definitions: Definitions) -> Schema:
    return Schema.named("io.k8s.api.apps.v1.Deployment", definitions)


@pytest.fixture(scope="session")
def widget_schema() -> Schema:
    return Schema.of(WIDGET_SCHEMA)


def _applier(schema: Schema | None, api_version: str) -> Apply:
    def apply(live: dict[str, Any] | None, config: dict[str, Any], *, manager_name: str = "alice",
              force: bool = False, now: str = T1, **options: Any) -> dict[str, Any]:
        return manager.apply(live, config, manager=manager_name, force=force, schema=schema,
                             api_version=api_version, now=now, **options)
    return apply


def _updater(schema: Schema | None, api_version: str) -> Apply:
    def update(old: dict[str, Any] | None, new: dict[str, Any], *, manager_name: str, now: str = T2,
               **options: Any) -> dict[str, Any]:
        return manager.update(old, new, manager=manager_name, schema=schema, api_version=api_version, now=now,
                              **options)
    return update


@pytest.fixture
def apply_cm(configmap_schema: Schema) -> Apply:
    """Server-side apply of a ConfigMap (manager ``alice``, time T1 unless told)."""
    return _applier(configmap_schema, "v1")


@pytest.fixture
def update_cm(configmap_schema: Schema) -> Apply:
    """A non-apply write of a ConfigMap (time T2 unless told)."""
    return _updater(configmap_schema, "v1")


@pytest.fixture
def apply_deployment(deployment_schema: Schema) -> Apply:
    return _applier(deployment_schema, "apps/v1")


@pytest.fixture
def apply_widget(widget_schema: Schema) -> Apply:
    return _applier(widget_schema, "example.com/v1")


@pytest.fixture
def update_widget(widget_schema: Schema) -> Apply:
    return _updater(widget_schema, "example.com/v1")
