"""kubectl 1.27 and 1.33 delete with ``--cascade=background|foreground|orphan`` on a real server: the garbage
collector deletes dependents with their owner, before it, or leaves them without the reference; and every new
namespace holds the ``default`` ServiceAccount and the ``kube-root-ca.crt`` ConfigMap with the server's CA."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.conftest import Kubectl
from tests.integration.server import ServerProcess

pytestmark = pytest.mark.integration


def eventually(check: Callable[[], Any], what: str, limit: float = 30) -> Any:
    deadline = time.monotonic() + limit
    while not (result := check()):
        assert time.monotonic() < deadline, what
        time.sleep(0.1)
    return result


@pytest.fixture
def ns(kubectl: Kubectl) -> str:
    name = f"gc-{uuid.uuid4().hex[:8]}"
    kubectl.run("create", "namespace", name)
    return name


def owner_and_dependent(kubectl: Kubectl, ns: str) -> None:
    kubectl.run("create", "configmap", "owner", "-n", ns)
    owner = json.loads(kubectl.run("get", "cm", "owner", "-n", ns, "-o", "json").stdout)
    dependent = {"apiVersion": "v1", "kind": "ConfigMap",
                 "metadata": {"name": "dependent", "namespace": ns, "ownerReferences": [{
                     "apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": owner["metadata"]["uid"],
                     "blockOwnerDeletion": True}]}}
    kubectl.run("create", "-f", "-", input=json.dumps(dependent))


def exists(kubectl: Kubectl, ns: str, name: str) -> bool:
    return kubectl.run("get", "cm", name, "-n", ns, check=False).returncode == 0


@pytest.mark.parametrize("cascade", ["background", "foreground"])
def test_dependents_go_with_their_owner(kubectl: Kubectl, ns: str, cascade: str) -> None:
    owner_and_dependent(kubectl, ns)
    kubectl.run("delete", "cm", "owner", "-n", ns, f"--cascade={cascade}", "--wait=true", "--timeout=30s")
    if cascade == "foreground":  # kubectl waited for the owner, which waited for its blocking dependent
        assert not exists(kubectl, ns, "dependent")
    eventually(lambda: not exists(kubectl, ns, "dependent"), "the dependent outlived its owner")


def test_orphaned_dependents_stay_without_the_reference(kubectl: Kubectl, ns: str) -> None:
    owner_and_dependent(kubectl, ns)
    kubectl.run("delete", "cm", "owner", "-n", ns, "--cascade=orphan", "--wait=true", "--timeout=30s")
    dependent = json.loads(kubectl.run("get", "cm", "dependent", "-n", ns, "-o", "json").stdout)
    assert "ownerReferences" not in dependent["metadata"]


def test_a_new_namespace_holds_its_default_account_and_root_ca(kubectl: Kubectl, server: ServerProcess,
                                                                ns: str) -> None:
    eventually(lambda: kubectl.run("get", "sa", "default", "-n", ns, check=False).returncode == 0,
               "no default ServiceAccount")
    root_ca = eventually(lambda: kubectl.run("get", "cm", "kube-root-ca.crt", "-n", ns, "-o", "json",
                                             check=False).stdout, "no kube-root-ca.crt")
    assert json.loads(root_ca)["data"]["ca.crt"] == (server.data_dir / "pki" / "ca.crt").read_text()
