"""``kubectl ws <target>`` and ``kubectl ws use <target>`` check the target with the server (its Workspace in
the parent, discovery for root), then point ``workspace.kcp.io/current`` at it and print its type."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.cli.ws.fake_server import FakeServer
from tests.unit.cli.ws.support import CA_DATA, Runner, current_server, named, read, server_of


@pytest.fixture
def tree(server: FakeServer) -> FakeServer:
    server.add("root:org-a", "root:organization")
    server.add("root:org-a:team-a", "root:team")
    server.add("root:org-b", "root:organization")
    return server


def test_a_child_is_entered_and_its_type_printed(ws: Runner, tree: FakeServer, kubeconfig: Path) -> None:
    result = ws("org-a")
    assert (result.code, result.out, result.err) == (
        0, ['Current workspace is "root:org-a" (type root:organization).'], [])
    config = read(kubeconfig)
    assert config["current-context"] == "workspace.kcp.io/current"
    assert named(config, "clusters", "workspace.kcp.io/current") == {
        "certificate-authority-data": CA_DATA, "server": tree.url("root:org-a")}
    assert named(config, "contexts", "workspace.kcp.io/current") == {
        "cluster": "workspace.kcp.io/current", "user": "admin"}
    assert server_of(config, "workspace.kcp.io/previous") == tree.url("root")
    assert named(config, "contexts", "workspace.kcp.io/previous")["user"] == "admin"


def test_the_check_reads_the_workspace_in_its_parent_with_the_contexts_credentials(
        ws: Runner, tree: FakeServer) -> None:
    ws("use", "org-a:team-a")
    [request] = tree.requests
    assert (request.method, request.path, request.authorization) == (
        "GET", "/clusters/root:org-a/apis/tenancy.kcp.io/v1alpha1/workspaces/team-a", "Bearer admin-token")


@pytest.mark.parametrize(("steps", "expected"), [
    ([["org-a:team-a"]], 'Current workspace is "root:org-a:team-a" (type root:team).'),
    ([["org-a:team-a"], [".."]], 'Current workspace is "root:org-a" (type root:organization).'),
    ([["org-a:team-a"], ["..:.."]], 'Current workspace is "root".'),
    ([["org-a"], ["..:org-b"]], 'Current workspace is "root:org-b" (type root:organization).'),
    ([["org-a:team-a"], [":root:org-b"]], 'Current workspace is "root:org-b" (type root:organization).'),
    ([["org-a:team-a"], ["root:org-b"]], 'Current workspace is "root:org-b" (type root:organization).'),
    ([["org-a:team-a"], ["root"]], 'Current workspace is "root".'),
    ([["org-a:team-a"], [":"]], 'Current workspace is "root".'),
    ([["org-a"], ["use", "team-a"]], 'Current workspace is "root:org-a:team-a" (type root:team).'),
    ([["org-a"], ["cd", ".."]], 'Current workspace is "root".'),
])
def test_relative_and_absolute_targets_resolve_against_the_current_workspace(
        ws: Runner, tree: FakeServer, kubeconfig: Path, steps: list[list[str]], expected: str) -> None:
    for step in steps:
        result = ws(*step)
        assert (result.code, result.err) == (0, [])
    assert result.out == [expected]
    assert current_server(kubeconfig) == tree.url(expected.split('"')[1])


def test_short_prints_only_the_new_path(ws: Runner, tree: FakeServer) -> None:
    assert ws("org-a", "--short").out == ["root:org-a"]


def test_entering_root_checks_its_discovery(ws: Runner, tree: FakeServer) -> None:
    ws("org-a")
    tree.requests.clear()
    assert ws(":root").out == ['Current workspace is "root".']
    assert [r.path for r in tree.requests] == ["/clusters/root/api/"]


def test_a_workspace_that_is_not_ready_can_be_entered(ws: Runner, server: FakeServer) -> None:
    server.add("root:org-a", "root:organization", phase="Initializing")
    assert ws("org-a").out == ['Current workspace is "root:org-a" (type root:organization).']


def test_the_context_given_is_the_one_copied_and_saved_as_previous(
        ws: Runner, tree: FakeServer, kubeconfig: Path) -> None:
    kubeconfig.write_text(kubeconfig.read_text().replace("https://10.0.0.1:6443", tree.url("root:org-b")))
    assert ws("..:org-a", "--context", "kind").out == ['Current workspace is "root:org-a" (type root:organization).']
    config = read(kubeconfig)
    assert named(config, "contexts", "workspace.kcp.io/current") == {
        "cluster": "workspace.kcp.io/current", "namespace": "default", "user": "kind-user"}
    assert server_of(config, "workspace.kcp.io/previous") == tree.url("root:org-b")
    assert tree.requests[0].authorization == "Bearer kind-token"


@pytest.mark.parametrize(("target", "message"), [
    ("..", "cannot go up from root"),
    ("org-z", 'workspace "root:org-z" not found'),
    ("org-a:team-z", 'workspace "root:org-a:team-z" not found'),
    (":other", 'workspace "other" not found'),
    ("Org", "invalid workspace path: Org"),
])
def test_a_target_that_cannot_be_entered_is_an_error_and_the_kubeconfig_is_untouched(
        ws: Runner, tree: FakeServer, kubeconfig: Path, target: str, message: str) -> None:
    before = kubeconfig.read_text()
    result = ws(target)
    assert (result.code, result.out, result.err) == (1, [], [f"error: {message}"])
    assert kubeconfig.read_text() == before


def test_a_workspace_whose_parent_denies_access_is_an_error(ws: Runner, tree: FakeServer) -> None:
    tree.denied.add("root:org-a")
    assert ws("org-a:team-a").err == ['error: access to workspace "root:org-a:team-a" denied']


def test_root_denying_discovery_is_an_error(ws: Runner, tree: FakeServer) -> None:
    ws("org-a")
    tree.denied.add("root")
    assert ws("..").err == ['error: access to workspace "root" denied']


def test_an_unreachable_server_is_an_error(ws: Runner, kubeconfig: Path, server: FakeServer) -> None:
    kubeconfig.write_text(kubeconfig.read_text().replace(server.base, "http://127.0.0.1:9"))
    result = ws("org-a")
    assert result.code == 1
    assert result.err[0].startswith("error: cannot reach http://127.0.0.1:9/clusters/root: ")
