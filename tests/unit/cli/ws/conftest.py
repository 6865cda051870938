"""Fixtures of the plugin's tests: a fake API server, a temp kubeconfig pointing at its root workspace
(through ``KUBECONFIG``), and runners of the two entry points that capture stdout and stderr as lines."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from gitplane.cli.ws.main import create_workspace_main, main
from tests.unit.cli.ws.fake_server import FakeServer
from tests.unit.cli.ws.support import CA_DATA, KUBECONFIG, Result, Runner


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        yield fake


@pytest.fixture
def kubeconfig(tmp_path: Path, server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A kubeconfig whose current context ``gitplane`` points at root; ``KUBECONFIG`` names it."""
    path = tmp_path / "config"
    path.write_text(KUBECONFIG.format(ca=CA_DATA, root=server.url("root")))
    path.chmod(0o640)
    monkeypatch.setenv("KUBECONFIG", str(path))
    return path


def _runner(entry: Callable[[Sequence[str]], int], capsys: pytest.CaptureFixture[str]) -> Runner:
    def run(*argv: str) -> Result:
        code = entry(list(argv))
        captured = capsys.readouterr()
        return Result(code, captured.out.splitlines(), captured.err.splitlines())

    return run


@pytest.fixture
def ws(kubeconfig: Path, capsys: pytest.CaptureFixture[str]) -> Runner:
    """``kubectl ws ARGS``, against the fake server."""
    return _runner(main, capsys)


@pytest.fixture
def create_workspace(kubeconfig: Path, capsys: pytest.CaptureFixture[str]) -> Runner:
    """``kubectl create workspace ARGS``, against the fake server."""
    return _runner(create_workspace_main, capsys)
