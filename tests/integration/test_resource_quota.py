"""ResourceQuota on a real server, driven by kubectl 1.27 and 1.33: ``kubectl create quota``, the controller
fills the status, creates go through until the quota is full and are then refused in kube's words (kubectl's
output and exit code), ``kubectl describe quota`` shows Used and Hard, and a delete frees room once the
controller has recounted."""

from __future__ import annotations

import re
import textwrap
import time
import uuid
from typing import Any

import pytest
from kubernetes import client, watch

from tests.integration.conftest import Kubectl

pytestmark = pytest.mark.integration

WAIT_SECONDS = 30
"""The deadline of a wait for the controller (a guard against hangs, never a timing)."""
REFUSAL = ('configmaps "c3" is forbidden: exceeded quota: q1, requested: count/configmaps=1, '
           "used: count/configmaps=3, limited: count/configmaps=3")


@pytest.fixture
def ns(kubectl: Kubectl) -> str:
    """A new namespace, once it holds its ``kube-root-ca.crt`` ConfigMap, which counts against quota (as in
    kube): every count of ConfigMaps below includes it."""
    name = f"quota-{uuid.uuid4().hex[:8]}"
    kubectl.run("create", "namespace", name)
    deadline = time.monotonic() + WAIT_SECONDS
    while kubectl.run("get", "configmap", "kube-root-ca.crt", "-n", name, check=False).returncode != 0:
        assert time.monotonic() < deadline, f"namespace {name} never got its kube-root-ca.crt"
        time.sleep(0.05)
    return name


def wait_for_used(core: client.CoreV1Api, namespace: str, name: str, used: dict[str, str]) -> Any:
    """Watch the quota until its ``status.used`` is ``used``; the quota then."""
    stream = watch.Watch()
    for event in stream.stream(core.list_namespaced_resource_quota, namespace,
                               field_selector=f"metadata.name={name}", timeout_seconds=WAIT_SECONDS):
        quota = event["object"]
        if quota.status is not None and quota.status.used == used:
            stream.stop()
            return quota
    raise AssertionError(f"quota {namespace}/{name} did not reach used={used} within {WAIT_SECONDS}s")


def test_a_full_quota_refuses_configmaps_and_describe_shows_usage(kubectl: Kubectl, core: client.CoreV1Api,
                                                                  ns: str) -> None:
    """create quota → status filled → two configmaps pass beside kube-root-ca.crt, the third is refused →
    describe shows 3/3."""
    kubectl.run("create", "quota", "q1", "--hard=count/configmaps=3", "-n", ns)
    quota = wait_for_used(core, ns, "q1", {"count/configmaps": "1"})
    assert quota.status.hard == {"count/configmaps": "3"}

    kubectl.run("create", "configmap", "c1", "-n", ns)
    kubectl.run("create", "configmap", "c2", "--from-literal=a=b", "-n", ns)
    refused = kubectl.run("create", "configmap", "c3", "-n", ns, check=False)
    assert refused.returncode == 1
    assert refused.stderr.strip() == f"error: failed to create configmap: {REFUSAL}"

    manifest = textwrap.dedent("""\
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: c3
        """)
    refused = kubectl.run("create", "-f", "-", "-n", ns, input=manifest, check=False)
    assert refused.returncode == 1
    assert refused.stderr.strip() == f'Error from server (Forbidden): error when creating "STDIN": {REFUSAL}'

    described = kubectl.run("describe", "quota", "q1", "-n", ns).stdout
    assert re.search(r"^Resource\s+Used\s+Hard$", described, re.MULTILINE), described
    assert re.search(r"^count/configmaps\s+3\s+3$", described, re.MULTILINE), described
    listed = kubectl.run("get", "quota", "-n", ns).stdout
    assert "count/configmaps: 3/3" in listed


def test_a_delete_frees_room_once_recounted(kubectl: Kubectl, core: client.CoreV1Api, ns: str) -> None:
    """Deleting a configmap of a full quota lets the next create through after the controller's recount."""
    kubectl.run("create", "quota", "q1", "--hard=configmaps=2,count/secrets=3", "-n", ns)
    wait_for_used(core, ns, "q1", {"configmaps": "1", "count/secrets": "0"})
    kubectl.run("create", "configmap", "first", "-n", ns)
    assert kubectl.run("create", "configmap", "second", "-n", ns, check=False).returncode == 1
    kubectl.run("delete", "configmap", "first", "-n", ns)
    wait_for_used(core, ns, "q1", {"configmaps": "1", "count/secrets": "0"})
    kubectl.run("create", "configmap", "second", "-n", ns)
    wait_for_used(core, ns, "q1", {"configmaps": "2", "count/secrets": "0"})
