"""Integration fixtures: one real server per module, kubectl of every tested version, the kubernetes client."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from kubernetes import client, config

from tests.integration.server import ServerProcess, serving

KUBECTL_DIR = Path("/usr/lib/google-cloud-sdk/bin")
# The oldest and newest supported kubectl; GITPLANE_TEST_KUBECTL_VERSIONS=1.27,1.28,... tests others too.
KUBECTL_VERSIONS = tuple(os.environ.get("GITPLANE_TEST_KUBECTL_VERSIONS", "1.27,1.33").split(","))


def kubectl_path(version: str) -> Path:
    path = KUBECTL_DIR / f"kubectl.{version}"
    if not path.exists():
        found = shutil.which(f"kubectl.{version}")
        if found is None:
            pytest.fail(f"kubectl {version} is required at {path} (see .ci/run)")
        return Path(found)
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with serving(tmp_path_factory.mktemp("gitplane")) as proc:
        yield proc


class Kubectl:
    """Runs one kubectl version against the server, with its own discovery cache."""

    def __init__(self, binary: Path, kubeconfig: Path, home: Path) -> None:
        self.binary = binary
        self.kubeconfig = kubeconfig
        self.home = home

    def run(self, *args: str, input: str | None = None, check: bool = True,
            env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(  # noqa: PLW1510 - the exit code is checked below, with kubectl's stderr
            [str(self.binary), "--kubeconfig", str(self.kubeconfig), *args], input=input, text=True,
            capture_output=True, timeout=timeout,
            env={**os.environ, "HOME": str(self.home), "KUBECACHEDIR": str(self.home / "cache"), **(env or {})})
        if check and result.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
        return result

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [str(self.binary), "--kubeconfig", str(self.kubeconfig), *args], text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env={**os.environ, "HOME": str(self.home), "KUBECACHEDIR": str(self.home / "cache")})


@pytest.fixture(scope="module", params=KUBECTL_VERSIONS, ids=lambda v: f"kubectl-{v}")
def kubectl(request: pytest.FixtureRequest, server: ServerProcess,
            tmp_path_factory: pytest.TempPathFactory) -> Kubectl:
    return Kubectl(kubectl_path(request.param), server.kubeconfig, tmp_path_factory.mktemp("home"))


@pytest.fixture(scope="module")
def api_client(server: ServerProcess) -> Iterator[client.ApiClient]:
    configuration = client.Configuration()
    config.load_kube_config(config_file=str(server.kubeconfig), client_configuration=configuration)
    with client.ApiClient(configuration) as api:
        yield api


@pytest.fixture(scope="module")
def core(api_client: client.ApiClient) -> client.CoreV1Api:
    return client.CoreV1Api(api_client)
