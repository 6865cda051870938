"""``kubectl ws create`` and ``kubectl create workspace`` POST a Workspace to the current workspace, print the
type the server defaulted, wait until it is Ready, and with ``--enter`` switch into it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.unit.cli.ws.fake_server import WORKSPACES, FakeServer
from tests.unit.cli.ws.support import Runner, current_server, read

CREATED = 'Workspace "team-a" (type root:team) created. Waiting for it to be ready...'
READY = 'Workspace "team-a" (type root:team) is ready to use.'


def posted(server: FakeServer) -> list[Any]:
    return [r.body for r in server.requests if r.method == "POST"]


@pytest.mark.parametrize("command", ["ws", "create_workspace"])
def test_a_workspace_is_created_and_waited_for(request: pytest.FixtureRequest, server: FakeServer,
                                              kubeconfig: Path, command: str) -> None:
    before = kubeconfig.read_text()
    run: Runner = request.getfixturevalue(command)
    result = run(*(["create"] if command == "ws" else []), "team-a", "--type", "root:team")
    assert (result.code, result.out, result.err) == (0, [CREATED, READY], [])
    assert posted(server) == [{"apiVersion": "tenancy.kcp.io/v1alpha1", "kind": "Workspace",
                               "metadata": {"name": "team-a"}, "spec": {"type": {"name": "team", "path": "root"}}}]
    assert [(r.method, r.path) for r in server.requests] == [
        ("POST", f"/clusters/root/{WORKSPACES}"), ("GET", f"/clusters/root/{WORKSPACES}/team-a"),
        ("GET", f"/clusters/root/{WORKSPACES}/team-a")]
    assert kubeconfig.read_text() == before


def test_a_type_without_path_is_sent_as_a_name_and_the_servers_default_path_is_printed(
        ws: Runner, server: FakeServer) -> None:
    assert ws("create", "team-a", "--type", "team").out == [CREATED, READY]
    assert posted(server)[0]["spec"] == {"type": {"name": "team"}}


def test_without_type_the_server_chooses_it(ws: Runner, server: FakeServer) -> None:
    assert ws("create", "team-a").out == [
        'Workspace "team-a" (type root:universal) created. Waiting for it to be ready...',
        'Workspace "team-a" (type root:universal) is ready to use.']
    assert posted(server)[0]["spec"] == {}


def test_the_location_selector_becomes_match_labels(ws: Runner, server: FakeServer) -> None:
    ws("create", "team-a", "--location-selector", "region=eu,tier==gold")
    assert posted(server)[0]["spec"] == {"location": {"selector": {"matchLabels": {"region": "eu", "tier": "gold"}}}}


@pytest.mark.parametrize("selector", ["region", "region!=eu", "region in (eu)", "=eu"])
def test_a_location_selector_other_than_key_value_pairs_is_an_error(
        ws: Runner, server: FakeServer, selector: str) -> None:
    result = ws("create", "team-a", "--location-selector", selector)
    assert result.code == 1
    assert result.err == [f'error: invalid location selector "{selector}": expected key=value pairs']
    assert server.requests == []


def test_enter_switches_into_the_ready_workspace(ws: Runner, server: FakeServer, kubeconfig: Path) -> None:
    server.add("root:org-a", "root:organization")
    ws("org-a")
    result = ws("create", "team-a", "--type", "root:team", "--enter")
    assert result.out == [CREATED, READY, 'Current workspace is "root:org-a:team-a" (type root:team).']
    config = read(kubeconfig)
    assert current_server(kubeconfig) == server.url("root:org-a:team-a")
    assert config["current-context"] == "workspace.kcp.io/current"


def test_an_existing_workspace_is_an_error(ws: Runner, server: FakeServer) -> None:
    server.add("root:team-a", "root:team")
    result = ws("create", "team-a")
    assert (result.code, result.out, result.err) == (1, [], ['error: workspace "team-a" already exists'])


def test_ignore_existing_prints_nothing_for_the_create_and_still_waits_and_enters(
        ws: Runner, server: FakeServer, kubeconfig: Path) -> None:
    server.add("root:team-a", "root:team", phase="Initializing")
    server.reads_until_ready["root:team-a"] = 2
    result = ws("create", "team-a", "--type", "root:team", "--ignore-existing", "--enter")
    assert (result.code, result.err) == (0, [])
    assert result.out == [READY, 'Current workspace is "root:team-a" (type root:team).']
    assert current_server(kubeconfig) == server.url("root:team-a")


def test_ignore_existing_without_type_accepts_any_existing_type(ws: Runner, server: FakeServer) -> None:
    server.add("root:team-a", "root:universal")
    assert ws("create", "team-a", "--ignore-existing").out == [
        'Workspace "team-a" (type root:universal) is ready to use.']


@pytest.mark.parametrize("requested", ["root:team", "team", "other:universal"])
def test_ignore_existing_with_another_type_is_an_error(ws: Runner, server: FakeServer, requested: str) -> None:
    server.add("root:team-a", "root:universal")
    result = ws("create", "team-a", "--type", requested, "--ignore-existing")
    assert (result.code, result.out, result.err) == (
        1, [], ['error: workspace "team-a" already exists with type root:universal'])


def test_a_workspace_that_does_not_become_ready_in_time_is_an_error(
        ws: Runner, server: FakeServer, kubeconfig: Path) -> None:
    server.add("root:org-a", "root:organization")
    ws("org-a")
    before = kubeconfig.read_text()
    server.reads_until_ready["root:org-a:team-a"] = 10**6
    result = ws("create", "team-a", "--type", "root:team", "--timeout", "300ms", "--enter")
    assert result.out == [CREATED]
    assert result.err == ['error: timed out waiting for workspace "team-a" to be ready (phase Scheduling)']
    assert kubeconfig.read_text() == before


def test_a_create_the_server_rejects_prints_its_message(ws: Runner, server: FakeServer) -> None:
    server.denied.add("root")
    result = ws("create", "team-a")
    assert (result.code, result.err) == (1, ['error: User "admin" cannot post in workspace "root"'])


@pytest.mark.parametrize(("text", "message"), [("abc", "invalid duration 'abc'"), ("1x", "invalid duration '1x'")])
def test_an_invalid_timeout_is_a_usage_error(ws: Runner, capsys: pytest.CaptureFixture[str], text: str,
                                             message: str) -> None:
    with pytest.raises(SystemExit) as exit_:
        ws("create", "team-a", "--timeout", text)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err
