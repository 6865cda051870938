"""Everything the foundation's kubectl test does, inside the workspace root:org-a:team-a instead of root: the
same test functions, run with a kubeconfig whose server is the workspace's URL."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml

from tests.integration.conftest import KUBECTL_VERSIONS, Kubectl, kubectl_path
from tests.integration.server import ServerProcess
from tests.integration.test_kubectl import *  # noqa: F403 - the tests run again here, with this module's kubectl

pytestmark = pytest.mark.integration

PATH = "root:org-a:team-a"
WAIT_SECONDS = 30.0


def _workspace(admin: Kubectl, parent: str, name: str, type_name: str) -> None:
    body = json.dumps({"apiVersion": "tenancy.kcp.io/v1alpha1", "kind": "Workspace", "metadata": {"name": name},
                       "spec": {"type": {"name": type_name}}})
    server = f"--server={_base(admin)}/clusters/{parent}"
    if admin.run(server, "get", "ws", name, check=False).returncode != 0:
        admin.run(server, "create", "-f", "-", input=body)
    admin.run(server, "wait", "--for=jsonpath={.status.phase}=Ready", f"ws/{name}", "--timeout=30s")


def _base(admin: Kubectl) -> str:
    config = yaml.safe_load(admin.kubeconfig.read_text())
    server = str(config["clusters"][0]["cluster"]["server"])
    return server.split("/clusters/", 1)[0]


@pytest.fixture(scope="module")
def workspace_kubeconfig(server: ServerProcess) -> Path:
    """The admin kubeconfig with every cluster's server moved into root:org-a:team-a (created here)."""
    admin = Kubectl(kubectl_path(KUBECTL_VERSIONS[-1]), server.kubeconfig, server.data_dir)
    _workspace(admin, "root", "org-a", "organization")
    _workspace(admin, "root:org-a", "team-a", "team")
    config = yaml.safe_load(server.kubeconfig.read_text())
    for entry in config["clusters"]:
        entry["cluster"]["server"] = f"{_base(admin)}/clusters/{PATH}"
    path = server.data_dir / "team-a.kubeconfig"
    path.write_text(yaml.safe_dump(config))
    deadline = time.monotonic() + WAIT_SECONDS  # the universal initializer's namespaces and their defaults
    while admin.run("--kubeconfig", str(path), "get", "sa", "default", "-n", "default", check=False).returncode:
        assert time.monotonic() < deadline, "the workspace never got its default ServiceAccount"
        time.sleep(0.05)
    return path


@pytest.fixture(scope="module", params=KUBECTL_VERSIONS, ids=lambda v: f"kubectl-{v}")
def kubectl(request: pytest.FixtureRequest, workspace_kubeconfig: Path,
            tmp_path_factory: pytest.TempPathFactory) -> Kubectl:
    return Kubectl(kubectl_path(request.param), workspace_kubeconfig, tmp_path_factory.mktemp("home"))
