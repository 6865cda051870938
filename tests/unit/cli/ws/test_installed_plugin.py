"""The plugin is installed as console scripts that kubectl finds on PATH: ``kubectl-ws`` for ``kubectl ws``
and ``kubectl-create-workspace`` for ``kubectl create workspace``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.cli.ws.fake_server import FakeServer

BIN = Path(sys.executable).parent


def run(argv: list[str], kubeconfig: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    environment = {"PATH": os.pathsep.join([str(BIN), os.environ.get("PATH", "")]),
                   "HOME": str(tmp_path), "KUBECONFIG": str(kubeconfig)}
    return subprocess.run(argv, env=environment, capture_output=True, text=True, timeout=120, check=False)


def test_the_console_script_switches_workspaces(server: FakeServer, kubeconfig: Path, tmp_path: Path) -> None:
    server.add("root:org-a", "root:organization")
    script = shutil.which("kubectl-ws", path=str(BIN))
    assert script is not None
    result = run([script, "org-a"], kubeconfig, tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (
        0, 'Current workspace is "root:org-a" (type root:organization).\n', "")
    failed = run([script, "org-z"], kubeconfig, tmp_path)
    assert (failed.returncode, failed.stdout) == (1, "")
    assert failed.stderr == 'error: workspace "root:org-a:org-z" not found\n'


kubectl = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")


@kubectl
def test_kubectl_finds_the_ws_plugin(kubeconfig: Path, tmp_path: Path) -> None:
    result = run(["kubectl", "ws", "."], kubeconfig, tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, 'Current workspace is "root".\n', "")


@kubectl
def test_kubectl_finds_the_create_workspace_plugin(server: FakeServer, kubeconfig: Path, tmp_path: Path) -> None:
    result = run(["kubectl", "create", "workspace", "team-a", "--type", "root:team"], kubeconfig, tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines() == ['Workspace "team-a" (type root:team) created. Waiting for it to be ready...',
                                          'Workspace "team-a" (type root:team) is ready to use.']
