"""``kubectl ws -`` swaps ``workspace.kcp.io/current`` and ``workspace.kcp.io/previous`` and prints the
workspace it went back to, with its type when its Workspace object can be read."""

from __future__ import annotations

from pathlib import Path

from tests.unit.cli.ws.fake_server import FakeServer
from tests.unit.cli.ws.support import Runner, current_server, read, server_of


def test_dash_goes_back_to_the_previous_workspace_and_again_to_the_one_left(
        ws: Runner, server: FakeServer, kubeconfig: Path) -> None:
    server.add("root:org-a", "root:organization")
    server.add("root:org-a:team-a", "root:team")
    ws("org-a")
    ws("team-a")
    result = ws("-")
    assert (result.code, result.out, result.err) == (
        0, ['Current workspace is "root:org-a" (type root:organization).'], [])
    config = read(kubeconfig)
    assert config["current-context"] == "workspace.kcp.io/current"
    assert server_of(config, "workspace.kcp.io/current") == server.url("root:org-a")
    assert server_of(config, "workspace.kcp.io/previous") == server.url("root:org-a:team-a")
    assert ws("-").out == ['Current workspace is "root:org-a:team-a" (type root:team).']
    assert current_server(kubeconfig) == server.url("root:org-a:team-a")


def test_going_back_to_root_prints_no_type(ws: Runner, server: FakeServer) -> None:
    server.add("root:org-a", "root:organization")
    ws("org-a")
    assert ws("-").out == ['Current workspace is "root".']
    assert ws("use", "-", "--short").out == ["root:org-a"]


def test_going_back_does_not_depend_on_reading_the_workspace(ws: Runner, server: FakeServer) -> None:
    server.add("root:org-a", "root:organization")
    server.add("root:org-a:team-a", "root:team")
    ws("org-a:team-a")
    ws("..")
    server.denied.add("root:org-a")
    assert ws("-").out == ['Current workspace is "root:org-a:team-a".']


def test_going_back_from_a_context_outside_the_workspaces_returns_to_them(
        ws: Runner, server: FakeServer, kubeconfig: Path) -> None:
    server.add("root:org-a", "root:organization")
    ws("org-a")
    kubeconfig.write_text(kubeconfig.read_text().replace(
        "current-context: workspace.kcp.io/current", "current-context: kind"))
    assert ws("-").out == ['Current workspace is "root".']
    assert server_of(read(kubeconfig), "workspace.kcp.io/previous") == "https://10.0.0.1:6443"


def test_without_a_previous_workspace_dash_is_an_error(ws: Runner, kubeconfig: Path) -> None:
    before = kubeconfig.read_text()
    result = ws("-")
    assert (result.code, result.out, result.err) == (1, [], ["error: no previous workspace found in kubeconfig"])
    assert kubeconfig.read_text() == before
