"""``kubectl ws`` takes a subcommand or, short for ``use``, a target; options may come before either, and
``-h`` describes every command."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitplane.cli.ws.main import build_parser, create_workspace_main, main, route
from tests.unit.cli.ws.fake_server import FakeServer
from tests.unit.cli.ws.support import Runner


@pytest.mark.parametrize(("argv", "routed"), [
    ([], ["use"]),
    (["org-a"], ["use", "org-a"]),
    (["-"], ["use", "-"]),
    (["--short"], ["use", "--short"]),
    (["tree"], ["tree"]),
    (["--kubeconfig", "tree", "current"], ["current", "--kubeconfig", "tree"]),
    (["--context=x", "create", "a"], ["create", "--context=x", "a"]),
    (["use", "tree"], ["use", "tree"]),
    (["-h"], ["-h"]),
    (["-h", "tree"], ["tree", "-h"]),
])
def test_the_first_positional_argument_picks_the_command(argv: list[str], routed: list[str]) -> None:
    _, names = build_parser()
    assert route(names, argv) == routed


def test_options_before_the_command_apply_to_it(ws: Runner, server: FakeServer, kubeconfig: Path,
                                                 tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server.add("root:org-a")
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "absent"))
    assert ws("--kubeconfig", str(kubeconfig), "tree").out == [".", "└── root", "    └── org-a"]


@pytest.mark.parametrize(("argv", "described"), [
    (["-h"], ["usage: kubectl ws", "use (cd)", "current", "tree", "create", "--kubeconfig PATH and --context NAME"]),
    (["use", "-h"], ["usage: kubectl ws use", "--short", "--kubeconfig PATH", "--context NAME", "home workspace"]),
    (["current", "--help"], ["usage: kubectl ws current", "--short", "--kubeconfig PATH"]),
    (["tree", "-h"], ["usage: kubectl ws tree", "--context NAME"]),
    (["create", "-h"], ["usage: kubectl ws create", "--type TYPE", "--enter", "--ignore-existing",
                        "--location-selector", "--timeout DURATION"]),
])
def test_help_describes_each_command(capsys: pytest.CaptureFixture[str], argv: list[str],
                                     described: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for phrase in described:
        assert phrase in text


def test_help_of_create_workspace_names_kubectl_create_workspace(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        create_workspace_main(["--help"])
    assert capsys.readouterr().out.startswith("usage: kubectl create workspace ")
