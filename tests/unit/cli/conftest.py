"""CLI tests read settings from flags and GITPLANE_* variables: none of the test runner's may leak in."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("GITPLANE_"):
            monkeypatch.delenv(name)
