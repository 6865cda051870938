"""Fixtures of the custom-resource tests: the assembled server with its CRD controllers running."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from gitplane.server.assembly import Assembly
from tests.unit.server.asgi_client import AsgiClient, running


@pytest.fixture
async def assembly() -> AsyncIterator[Assembly]:
    async with running("custom-resource-catalogs", "crd") as assembled:
        yield assembled


@pytest.fixture
def admin(assembly: Assembly) -> AsgiClient:
    return AsgiClient(assembly.app)
