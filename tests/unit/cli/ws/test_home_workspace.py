"""``kubectl ws`` with no argument and ``kubectl ws ~`` switch to the home workspace, whose URL is the
``spec.URL`` of root's Workspace ``~``; ``~:child`` is a workspace below it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.cli.ws.fake_server import FakeServer
from tests.unit.cli.ws.support import Runner, current_server


@pytest.fixture
def home(server: FakeServer) -> FakeServer:
    server.add("root:users", "root:homeroot")
    server.add("root:users:admin", "root:home")
    server.add("root:users:admin:lab", "root:universal")
    server.home = "root:users:admin"
    return server


@pytest.mark.parametrize("argv", [[], ["~"], [""], ["use", "~"], ["use"]])
def test_the_home_workspace_is_entered(ws: Runner, home: FakeServer, kubeconfig: Path, argv: list[str]) -> None:
    result = ws(*argv)
    assert (result.code, result.out, result.err) == (0, ['Current workspace is "root:users:admin".'], [])
    assert current_server(kubeconfig) == home.url("root:users:admin")
    assert [r.path for r in home.requests] == ["/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces/~"]


def test_a_path_below_home_is_entered_with_its_type(ws: Runner, home: FakeServer) -> None:
    assert ws("~:lab").out == ['Current workspace is "root:users:admin:lab" (type root:universal).']


def test_without_home_workspaces_the_server_answers_404_and_that_is_an_error(
        ws: Runner, server: FakeServer, kubeconfig: Path) -> None:
    before = kubeconfig.read_text()
    result = ws()
    assert (result.code, result.out, result.err) == (1, [], ["error: home workspaces are not enabled on this server"])
    assert kubeconfig.read_text() == before


def test_a_tilde_the_shell_expanded_still_means_home(ws: Runner, home: FakeServer, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "ada"))
    assert ws(str(tmp_path / "ada")).out == ['Current workspace is "root:users:admin".']
    assert ws(f"{tmp_path / 'ada'}/lab").out == ['Current workspace is "root:users:admin:lab" (type root:universal).']
