"""The seed's transcript with the kubectl plugin (``kubectl ws``, ``kubectl create workspace``), found by
kubectl 1.27 and 1.33 on PATH and run against a real server; each output compared line by line where the seed
shows it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.integration.conftest import Kubectl
from tests.integration.server import ServerProcess

pytestmark = pytest.mark.integration

PLUGIN_DIR = Path(sys.executable).parent
"""Where pip installed the console scripts kubectl-ws and kubectl-create-workspace."""


@pytest.fixture
def ws(kubectl: Kubectl, server: ServerProcess, tmp_path: Path) -> Kubectl:
    """kubectl with the plugin on PATH and a kubeconfig of its own (the plugin rewrites it)."""
    assert (PLUGIN_DIR / "kubectl-ws").exists(), "pip install -e . installs the kubectl-ws console script"
    kubeconfig = tmp_path / "kubeconfig"
    shutil.copy(server.kubeconfig, kubeconfig)
    return Kubectl(kubectl.binary, kubeconfig, kubectl.home)


def invoke(ws: Kubectl, *args: str) -> subprocess.CompletedProcess[str]:
    """kubectl with the kubeconfig in KUBECONFIG: kubectl finds a plugin only when no flag precedes its name."""
    return subprocess.run(  # noqa: PLW1510 - callers check the exit code
        [str(ws.binary), *args], text=True, capture_output=True, timeout=120,
        env={**os.environ, "HOME": str(ws.home), "KUBECACHEDIR": str(ws.home / "cache"),
             "PATH": f"{PLUGIN_DIR}{os.pathsep}{os.environ.get('PATH', '')}", "KUBECONFIG": str(ws.kubeconfig)})


def run(ws: Kubectl, *args: str, check: bool = True) -> list[str]:
    result = invoke(ws, *args)
    if check:
        assert result.returncode == 0, f"kubectl {' '.join(args)} failed: {result.stderr}"
        return result.stdout.splitlines()
    assert result.returncode != 0, f"kubectl {' '.join(args)} should have failed"
    return (result.stdout + result.stderr).splitlines()


def test_the_seed_transcript(ws: Kubectl, server: ServerProcess) -> None:
    suffix = ws.binary.name.rsplit(".", 1)[-1]
    org_a, org_b = f"org-a{suffix}", f"org-b{suffix}"
    assert run(ws, "ws", ".") == ['Current workspace is "root".']
    assert run(ws, "ws", "create", org_a, "--type", "organization") == [
        f'Workspace "{org_a}" (type root:organization) created. Waiting for it to be ready...',
        f'Workspace "{org_a}" (type root:organization) is ready to use.']
    if int(suffix) >= 29:
        run(ws, "create", "workspace", org_b, "--type", "organization")
    else:  # kubectl before 1.29 does not look for plugins of its own commands' subcommands
        run(ws, "ws", "create", org_b, "--type", "organization")
    table = run(ws, "get", "ws")
    assert table[0].split() == ["NAME", "TYPE", "REGION", "PHASE", "URL", "AGE"]
    row = next(line for line in table if line.startswith(f"{org_a} "))
    assert re.fullmatch(rf"{org_a} +organization +Ready +{re.escape(server.url)}/clusters/root:{org_a} +\d+s", row)
    assert run(ws, "ws", org_a) == [f'Current workspace is "root:{org_a}" (type root:organization).']
    entered = run(ws, "ws", "create", "team-a", "--type", "team", "--enter")
    assert entered[-1] == f'Current workspace is "root:{org_a}:team-a" (type root:team).'
    resources = {line.split()[0] for line in run(ws, "api-resources")[1:]}
    assert {"configmaps", "events", "namespaces", "resourcequotas", "secrets", "serviceaccounts", "workspaces",
            "workspacetypes"} <= resources
    assert not {"pods", "deployments", "services", "nodes", "replicasets"} & resources
    run(ws, "ws", "create", "team-b", "--type", "team")
    assert run(ws, "ws", ":root") == ['Current workspace is "root".']
    tree = run(ws, "ws", "tree")
    assert tree[0] == "."
    assert tree[1] == "└── root"
    assert f"    ├── {org_a}" in tree or f"    └── {org_a}" in tree
    at = tree.index(next(line for line in tree if line.endswith(f"── {org_a}")))
    assert tree[at + 1].endswith("── team-a") and tree[at + 2].endswith("── team-b")
    assert run(ws, "ws", f"{org_a}:team-a")[-1] == f'Current workspace is "root:{org_a}:team-a" (type root:team).'
    assert run(ws, "ws", "..") == [f'Current workspace is "root:{org_a}" (type root:organization).']
    assert run(ws, "ws", "-") == [f'Current workspace is "root:{org_a}:team-a" (type root:team).']
    assert run(ws, "ws", f":root:{org_b}") == [f'Current workspace is "root:{org_b}" (type root:organization).']
    assert run(ws, "ws", ".", "--short") == [f"root:{org_b}"]
    # no target: the home workspace, made on first access (the plugin waits while the server answers 429)
    assert run(ws, "ws") == ['Current workspace is "user:gitplane-admin".']
    assert run(ws, "get", "ns", "-o", "name") == ["namespace/default", "namespace/kube-system"]
    assert run(ws, "ws", "-")[-1] == f'Current workspace is "root:{org_b}" (type root:organization).'

    config = yaml.safe_load(ws.kubeconfig.read_text())
    assert config["current-context"] == "workspace.kcp.io/current"
    current = next(c for c in config["clusters"] if c["name"] == "workspace.kcp.io/current")
    assert current["cluster"]["server"] == f"{server.url}/clusters/root:{org_b}"


def test_errors_name_the_workspace_and_exit_non_zero(ws: Kubectl) -> None:
    assert run(ws, "ws", ":root:no-such-workspace", check=False) == [
        'error: workspace "root:no-such-workspace" not found']
    assert run(ws, "ws", "..", check=False) == ["error: cannot go up from root"]
