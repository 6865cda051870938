"""kubectl 1.27 and 1.33 against a real server: ``kubectl create sa`` and ``kubectl create token`` give a token
that kubectl then authenticates with (as the ServiceAccount, which without RBAC rights is refused by name),
until the ServiceAccount is deleted; a token the server did not sign is refused as Unauthorized."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import yaml

from tests.integration.conftest import Kubectl
from tests.integration.server import ServerProcess

pytestmark = pytest.mark.integration


def token_kubeconfig(server: ServerProcess, token: str, path: Path) -> Path:
    """A kubeconfig with the server's CA and ``token``, and no client certificate (one would win: kube
    authenticates certificates before tokens)."""
    admin = yaml.safe_load(server.kubeconfig.read_text())
    cluster = admin["clusters"][0]
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "clusters": [cluster],
        "users": [{"name": "robot", "user": {"token": token}}],
        "contexts": [{"name": "robot", "context": {"cluster": cluster["name"], "user": "robot"}}],
        "current-context": "robot"}))
    return path


def test_kubectl_create_token_authenticates_until_the_account_goes(kubectl: Kubectl, server: ServerProcess,
                                                                  tmp_path: Path) -> None:
    name = f"robot-{uuid.uuid4().hex[:6]}"
    kubectl.run("create", "serviceaccount", name)
    token = kubectl.run("create", "token", name, "--duration=15m").stdout.strip()
    config = token_kubeconfig(server, token, tmp_path / "robot.kubeconfig")
    refused = kubectl.run("--kubeconfig", str(config), "get", "configmaps", check=False)
    assert refused.returncode != 0
    assert f'User "system:serviceaccount:default:{name}" cannot list resource "configmaps"' in refused.stderr
    kubectl.run("delete", "serviceaccount", name)
    gone = kubectl.run("--kubeconfig", str(config), "get", "configmaps", check=False)
    assert "Unauthorized" in gone.stderr


def test_a_token_the_server_did_not_sign_is_unauthorized(kubectl: Kubectl, server: ServerProcess,
                                                         tmp_path: Path) -> None:
    forged = ("eyJhbGciOiJSUzI1NiIsImtpZCI6IngifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGVmYXVsdDpyb2JvdCJ9."
              "c2lnbmF0dXJl")
    config = token_kubeconfig(server, forged, tmp_path / "forged.kubeconfig")
    result = kubectl.run("--kubeconfig", str(config), "get", "configmaps", check=False)
    assert result.returncode != 0 and "Unauthorized" in result.stderr
