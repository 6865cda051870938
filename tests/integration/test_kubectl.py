"""kubectl 1.27 and 1.33 against a real gitplane server: the everyday commands a user runs."""

from __future__ import annotations

import json
import textwrap
import time
import uuid
from pathlib import Path

import pytest
import yaml

from tests.integration.conftest import Kubectl

pytestmark = pytest.mark.integration


ROOT_CA = "kube-root-ca.crt"
"""The ConfigMap every namespace holds (as in kube), which the lists below leave out."""


@pytest.fixture
def ns(kubectl: Kubectl) -> str:
    """A new namespace, once its ``kube-root-ca.crt`` ConfigMap is there (so lists do not change under a test)."""
    name = f"t-{uuid.uuid4().hex[:8]}"
    kubectl.run("create", "namespace", name)
    deadline = time.monotonic() + 30
    while kubectl.run("get", "configmap", ROOT_CA, "-n", name, check=False).returncode != 0:
        assert time.monotonic() < deadline, f"namespace {name} never got its {ROOT_CA}"
        time.sleep(0.05)
    return name


def names(output: str) -> list[str]:
    return [n for n in output.split() if n != f"configmap/{ROOT_CA}"]


def test_version_api_resources_and_api_versions(kubectl: Kubectl) -> None:
    """version, api-resources and api-versions list the server and its built-in types."""
    version = json.loads(kubectl.run("version", "-o", "json").stdout)
    assert version["serverVersion"]["major"] == "1"
    resources = kubectl.run("api-resources").stdout
    for line in ("configmaps", "namespaces", "secrets", "serviceaccounts", "leases", "events.k8s.io/v1"):
        assert line in resources
    versions = kubectl.run("api-versions").stdout.split()
    assert {"v1", "coordination.k8s.io/v1", "events.k8s.io/v1"} <= set(versions)


def test_create_and_get_in_every_output(kubectl: Kubectl, ns: str) -> None:
    """create namespace/configmap/secret/serviceaccount, then get as table, yaml, json and wide."""
    kubectl.run("create", "configmap", "c1", "--from-literal=a=b", "-n", ns)
    kubectl.run("create", "secret", "generic", "s1", "--from-literal=password=hunter2", "-n", ns)
    kubectl.run("create", "serviceaccount", "robot", "-n", ns)

    table = kubectl.run("get", "configmaps,secrets,serviceaccounts", "-n", ns).stdout
    assert "configmap/c1" in table and "secret/s1" in table and "serviceaccount/robot" in table
    assert table.splitlines()[0].split() == ["NAME", "DATA", "AGE"]

    as_yaml = yaml.safe_load(kubectl.run("get", "configmap", "c1", "-n", ns, "-o", "yaml").stdout)
    assert as_yaml["data"] == {"a": "b"} and as_yaml["metadata"]["uid"]
    as_json = json.loads(kubectl.run("get", "secret", "s1", "-n", ns, "-o", "json").stdout)
    assert as_json["type"] == "Opaque" and as_json["data"]["password"] == "aHVudGVyMg=="
    wide = kubectl.run("get", "configmap", "c1", "-n", ns, "-o", "wide").stdout
    assert wide.split()[:3] == ["NAME", "DATA", "AGE"] and "c1" in wide


def test_watch_shows_a_change(kubectl: Kubectl, ns: str) -> None:
    """get -w prints the existing objects, then a change made while watching."""
    kubectl.run("create", "secret", "generic", "before", "--from-literal=a=1", "-n", ns)
    with kubectl.popen("get", "secrets", "-n", ns, "-w") as watcher:
        try:
            assert watcher.stdout is not None
            header = watcher.stdout.readline()
            assert header.split()[:2] == ["NAME", "TYPE"]
            assert watcher.stdout.readline().split()[0] == "before"
            kubectl.run("create", "secret", "generic", "during", "--from-literal=a=1", "-n", ns)
            assert watcher.stdout.readline().split()[0] == "during"
        finally:
            watcher.terminate()


def test_client_side_apply_twice_then_after_an_edit(kubectl: Kubectl, ns: str, tmp_path: Path) -> None:
    """apply -f creates, is unchanged the second time, and configures after the file changes."""
    manifest = tmp_path / "cm.yaml"
    body = textwrap.dedent(f"""\
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: applied
          namespace: {ns}
          labels: {{app: web}}
        data:
          k1: v1
          k2: v2
        """)
    manifest.write_text(body)
    assert "created" in kubectl.run("apply", "-f", str(manifest)).stdout
    assert "unchanged" in kubectl.run("apply", "-f", str(manifest)).stdout
    manifest.write_text(body.replace("k2: v2", "k3: v3"))
    assert "configured" in kubectl.run("apply", "-f", str(manifest)).stdout
    live = json.loads(kubectl.run("get", "cm", "applied", "-n", ns, "-o", "json").stdout)
    assert live["data"] == {"k1": "v1", "k3": "v3"}
    assert "kubectl.kubernetes.io/last-applied-configuration" in live["metadata"]["annotations"]


def test_server_side_apply_conflicts_without_force(kubectl: Kubectl, ns: str, tmp_path: Path) -> None:
    """apply --server-side by two managers conflicts on a shared field until --force-conflicts."""
    manifest = tmp_path / "ssa.yaml"
    manifest.write_text(f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  namespace: {ns}\n"
                        "data:\n  owner: alice\n")
    kubectl.run("apply", "--server-side", "--field-manager=alice", "-f", str(manifest))
    manifest.write_text(manifest.read_text().replace("alice", "bob"))
    refused = kubectl.run("apply", "--server-side", "--field-manager=bob", "-f", str(manifest), check=False)
    assert refused.returncode != 0
    assert 'conflict with "alice"' in refused.stderr and ".data.owner" in refused.stderr
    kubectl.run("apply", "--server-side", "--field-manager=bob", "--force-conflicts", "-f", str(manifest))
    live = json.loads(kubectl.run("get", "cm", "ssa", "-n", ns, "-o", "json", "--show-managed-fields").stdout)
    assert live["data"]["owner"] == "bob"
    assert [(m["manager"], m["operation"]) for m in live["metadata"]["managedFields"]] == [("bob", "Apply")]


def test_diff_reports_changes_with_its_exit_code(kubectl: Kubectl, ns: str, tmp_path: Path) -> None:
    """diff exits 0 when the file matches the live object and 1 (with a diff) when it does not."""
    manifest = tmp_path / "cm.yaml"
    manifest.write_text(f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\n  namespace: {ns}\n"
                        "data:\n  k: one\n")
    kubectl.run("apply", "-f", str(manifest))
    assert kubectl.run("diff", "-f", str(manifest), check=False).returncode == 0
    manifest.write_text(manifest.read_text().replace("one", "two"))
    changed = kubectl.run("diff", "-f", str(manifest), check=False)
    assert changed.returncode == 1 and "+  k: two" in changed.stdout
    assert json.loads(kubectl.run("get", "cm", "d", "-n", ns, "-o", "json").stdout)["data"] == {"k": "one"}


def test_patch_label_annotate_and_edit(kubectl: Kubectl, ns: str, tmp_path: Path) -> None:
    """patch with every type, label, annotate, and edit through $EDITOR all change the object."""
    kubectl.run("create", "configmap", "p", "--from-literal=a=b", "-n", ns)
    kubectl.run("patch", "cm", "p", "-n", ns, "--type", "json", "-p", '[{"op":"add","path":"/data/j","value":"1"}]')
    kubectl.run("patch", "cm", "p", "-n", ns, "--type", "merge", "-p", '{"data":{"m":"2"}}')
    kubectl.run("patch", "cm", "p", "-n", ns, "--type", "strategic", "-p", '{"data":{"s":"3"}}')
    kubectl.run("label", "cm", "p", "-n", ns, "tier=gold")
    kubectl.run("annotate", "cm", "p", "-n", ns, "note=hello")
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/^  a: b$/  a: edited/' \"$1\"\n")
    editor.chmod(0o755)
    kubectl.run("edit", "cm", "p", "-n", ns, env={"EDITOR": str(editor), "KUBE_EDITOR": str(editor)})
    live = json.loads(kubectl.run("get", "cm", "p", "-n", ns, "-o", "json").stdout)
    assert live["data"] == {"a": "edited", "j": "1", "m": "2", "s": "3"}
    assert live["metadata"]["labels"] == {"tier": "gold"}
    cluster = live["metadata"]["annotations"].pop("kcp.io/cluster")  # the logical cluster's name, as kcp sets it
    assert cluster == kubectl.run("get", "logicalcluster", "cluster", "-o",
                                  "jsonpath={.metadata.annotations.kcp\\.io/cluster}").stdout
    assert live["metadata"]["annotations"] == {"note": "hello"}


def test_delete_delete_all_and_wait_for_delete(kubectl: Kubectl, ns: str) -> None:
    """delete one, wait --for=delete on another, delete --all; then delete the namespace itself."""
    for name in ("one", "two", "three", "four"):
        kubectl.run("create", "configmap", name, "--from-literal=a=b", "-n", ns)
    kubectl.run("delete", "configmap", "one", "-n", ns)
    with kubectl.popen("wait", "--for=delete", "configmap/two", "-n", ns, "--timeout=30s") as waiter:
        kubectl.run("delete", "configmap", "two", "-n", ns)
        assert waiter.wait(40) == 0
    kubectl.run("delete", "configmap", "--all", "-n", ns)
    assert names(kubectl.run("get", "configmaps", "-n", ns, "-o", "name").stdout) == []  # kube-root-ca.crt returns
    kubectl.run("delete", "namespace", ns, "--timeout=60s")
    assert kubectl.run("get", "namespace", ns, check=False).returncode != 0


def test_chunked_label_and_field_selected_lists(kubectl: Kubectl, ns: str) -> None:
    """get --chunk-size=2 pages through every object; -l and --field-selector filter on the server."""
    for i in range(5):
        kubectl.run("create", "configmap", f"cm{i}", f"--from-literal=i={i}", "-n", ns)
    kubectl.run("label", "cm", "cm3", "-n", ns, "pick=me")
    chunked = kubectl.run("get", "cm", "-n", ns, "--chunk-size=2", "-o", "name", "-v=6")
    assert names(chunked.stdout) == [f"configmap/cm{i}" for i in range(5)]
    assert chunked.stderr.count("limit=2") >= 3
    assert kubectl.run("get", "cm", "-n", ns, "-l", "pick=me", "-o", "name").stdout.split() == ["configmap/cm3"]
    selected = kubectl.run("get", "cm", "-n", ns, "--field-selector", "metadata.name=cm1", "-o", "name").stdout
    assert selected.split() == ["configmap/cm1"]


def test_explain_reads_the_openapi_documents(kubectl: Kubectl) -> None:
    """explain configmap.data shows the field's type and description."""
    out = kubectl.run("explain", "configmap.data").stdout
    assert "ConfigMap" in out and "map[string]string" in out and "Data contains the configuration data" in out
