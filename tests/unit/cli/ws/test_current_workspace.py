"""``kubectl ws .`` and ``kubectl ws current`` print the workspace the current context's server URL points at,
without asking the server; ``--context`` reads another context, ``--short`` prints just the path."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.cli.ws.fake_server import FakeServer
from tests.unit.cli.ws.support import Runner


@pytest.mark.parametrize("argv", [["."], ["current"], ["use", "."]])
def test_the_current_workspace_is_printed(ws: Runner, argv: list[str], server: FakeServer) -> None:
    result = ws(*argv)
    assert (result.code, result.out, result.err) == (0, ['Current workspace is "root".'], [])
    assert server.requests == []


@pytest.mark.parametrize("argv", [[".", "--short"], ["current", "--short"], ["--short", "."]])
def test_short_prints_only_the_path(ws: Runner, argv: list[str]) -> None:
    assert ws(*argv).out == ["root"]


def test_context_reads_the_workspace_of_another_context(ws: Runner, kubeconfig: Path, server: FakeServer) -> None:
    kubeconfig.write_text(kubeconfig.read_text().replace("https://10.0.0.1:6443", server.url("root:org-b")))
    assert ws(".", "--context", "kind").out == ['Current workspace is "root:org-b".']
    assert ws("--context=kind", "current").out == ['Current workspace is "root:org-b".']


def test_a_context_that_points_at_no_workspace_is_an_error(ws: Runner) -> None:
    result = ws(".", "--context", "kind")
    assert (result.code, result.out) == (1, [])
    assert result.err == [
        'error: current context "kind" does not point at a workspace (server "https://10.0.0.1:6443")']


def test_the_current_context_pointing_at_no_workspace_is_an_error(ws: Runner, kubeconfig: Path) -> None:
    kubeconfig.write_text(kubeconfig.read_text().replace("current-context: gitplane", "current-context: kind"))
    result = ws("current")
    assert result.err == [
        'error: current context "kind" does not point at a workspace (server "https://10.0.0.1:6443")']


def test_kubeconfig_names_the_file_to_read(ws: Runner, kubeconfig: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch, server: FakeServer) -> None:
    other = tmp_path / "other"
    other.write_text(kubeconfig.read_text().replace(server.url("root"), server.url("root:org-c")))
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "absent"))
    assert ws(".", "--kubeconfig", str(other)).out == ['Current workspace is "root:org-c".']
