"""Workspaces on a real server, driven by kubectl 1.27 and 1.33 and the kubernetes client: kcp's tree of logical
clusters (types and their rules, phases, the content of a fresh workspace, deletion of a subtree) and the
isolation between workspaces (objects, names, users, ServiceAccounts, URL forms)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from kubernetes import client, config

from tests.integration.conftest import Kubectl
from tests.integration.server import ServerProcess, serving

TOKENS = "alice-token,alice,alice\nbob-token,bob,bob\n"
WAIT_SECONDS = 30.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with serving(tmp_path_factory.mktemp("gitplane"), tokens=TOKENS) as proc:
        yield proc


def at(server: ServerProcess, path: str) -> str:
    return f"--server={server.url}/clusters/{path}"


def user_kubeconfig(server: ServerProcess, name: str, path: str = "root") -> Path:
    """A kubeconfig of the user ``name`` (bearer token) pointing at workspace ``path``."""
    kubeconfig = server.data_dir / f"{name}-{path.replace(':', '_')}.kubeconfig"
    ca = str(server.data_dir / "pki" / "ca.crt")
    kubeconfig.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": name,
        "clusters": [{"name": "gitplane", "cluster": {"server": f"{server.url}/clusters/{path}",
                                                      "certificate-authority": ca}}],
        "users": [{"name": name, "user": {"token": f"{name}-token"}}],
        "contexts": [{"name": name, "context": {"cluster": "gitplane", "user": name}}],
    }))
    return kubeconfig


def as_user(kubectl: Kubectl, server: ServerProcess, name: str, path: str, *args: str) -> tuple[int, str, str]:
    result = kubectl.run("--kubeconfig", str(user_kubeconfig(server, name, path)), *args, check=False)
    return result.returncode, result.stdout, result.stderr


def workspace(name: str, type_name: str | None = None) -> str:
    spec = {"type": {"name": type_name}} if type_name else {}
    return json.dumps({"apiVersion": "tenancy.kcp.io/v1alpha1", "kind": "Workspace", "metadata": {"name": name},
                       "spec": spec})


def create_ready(kubectl: Kubectl, server: ServerProcess, parent: str, name: str, type_name: str | None) -> dict:
    kubectl.run(at(server, parent), "create", "-f", "-", input=workspace(name, type_name))
    kubectl.run(at(server, parent), "wait", "--for=jsonpath={.status.phase}=Ready", f"ws/{name}", "--timeout=30s")
    return json.loads(kubectl.run(at(server, parent), "get", "ws", name, "-o", "json").stdout)


def eventually(check, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def tree(kubectl: Kubectl, server: ServerProcess) -> dict[str, dict]:
    """root:org-<v> (organization) with team-a and team-b (team) in it, and root:other-<v>; one tree per kubectl
    version, since the module's server is shared."""
    suffix = kubectl.binary.name.rsplit(".", 1)[-1]
    org, other = f"org-{suffix}", f"other-{suffix}"
    made = {"org": create_ready(kubectl, server, "root", org, "organization"),
            "other": create_ready(kubectl, server, "root", other, "organization")}
    made["team-a"] = create_ready(kubectl, server, f"root:{org}", "team-a", "team")
    made["team-b"] = create_ready(kubectl, server, f"root:{org}", "team-b", "team")
    made["paths"] = {"org": f"root:{org}", "other": f"root:{other}", "team-a": f"root:{org}:team-a",
                     "team-b": f"root:{org}:team-b"}
    return made


def test_a_workspace_gets_a_logical_cluster_a_url_and_becomes_ready(kubectl: Kubectl, server: ServerProcess,
                                                                     tree: dict) -> None:
    org = tree["org"]
    path = tree["paths"]["org"]
    assert org["spec"]["type"] == {"name": "organization", "path": "root"}
    assert org["spec"]["URL"] == f"{server.url}/clusters/{path}"
    assert len(org["spec"]["cluster"]) == 16
    assert org["status"]["phase"] == "Ready"
    assert {c["type"]: c["status"] for c in org["status"]["conditions"]} == {
        "WorkspaceScheduled": "True", "WorkspaceInitialized": "True"}
    table = kubectl.run(at(server, "root"), "get", "ws", org["metadata"]["name"]).stdout.splitlines()
    assert table[0].split() == ["NAME", "TYPE", "REGION", "PHASE", "URL", "AGE"]
    assert table[1].split()[:4] == [org["metadata"]["name"], "organization", "Ready", org["spec"]["URL"]]
    logical = json.loads(kubectl.run(at(server, path), "get", "logicalcluster", "cluster", "-o", "json").stdout)
    assert logical["metadata"]["annotations"]["kcp.io/path"] == path
    assert logical["metadata"]["annotations"]["kcp.io/cluster"] == org["spec"]["cluster"]
    assert logical["spec"]["owner"]["name"] == org["metadata"]["name"]
    assert logical["status"]["phase"] == "Ready"


def test_the_path_and_the_cluster_name_reach_the_same_workspace(kubectl: Kubectl, server: ServerProcess,
                                                                 tree: dict) -> None:
    by_path = kubectl.run(at(server, tree["paths"]["team-a"]), "get", "ns", "-o", "name").stdout
    by_name = kubectl.run(at(server, tree["team-a"]["spec"]["cluster"]), "get", "ns", "-o", "name").stdout
    assert by_path == by_name == "namespace/default\nnamespace/kube-system\n"


def test_a_fresh_workspace_serves_no_workloads_and_the_kcp_apis(kubectl: Kubectl, server: ServerProcess,
                                                                tree: dict) -> None:
    resources = kubectl.run(at(server, tree["paths"]["team-a"]), "api-resources", "-o", "name").stdout.split()
    for wanted in ("configmaps", "events", "namespaces", "resourcequotas", "secrets", "serviceaccounts",
                   "workspaces.tenancy.kcp.io", "workspacetypes.tenancy.kcp.io", "logicalclusters.core.kcp.io",
                   "customresourcedefinitions.apiextensions.k8s.io", "clusterroles.rbac.authorization.k8s.io",
                   "leases.coordination.k8s.io"):
        assert wanted in resources
    assert not {"pods", "deployments.apps", "services", "nodes"} & set(resources)
    accounts = kubectl.run(at(server, tree["paths"]["team-a"]), "get", "sa", "-n", "default", "-o", "name")
    assert accounts.stdout == "serviceaccount/default\n"


def test_objects_do_not_cross_workspaces_and_names_do_not_collide(kubectl: Kubectl, server: ServerProcess,
                                                                  tree: dict) -> None:
    paths = tree["paths"]
    for team in ("team-a", "team-b"):
        kubectl.run(at(server, paths[team]), "create", "configmap", "shared-name", f"--from-literal=team={team}")
    for team in ("team-a", "team-b"):
        got = json.loads(kubectl.run(at(server, paths[team]), "get", "cm", "shared-name", "-o", "json").stdout)
        assert got["data"] == {"team": team}
        assert got["metadata"]["annotations"]["kcp.io/cluster"] == tree[team]["spec"]["cluster"]
    assert "shared-name" not in kubectl.run(at(server, paths["org"]), "get", "cm", "-A", "-o", "name").stdout


CRONTABS = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: crontabs.stable.example.com}
spec:
  group: stable.example.com
  scope: Namespaced
  names: {plural: crontabs, singular: crontab, kind: CronTab, shortNames: [ct]}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {cronSpec: {type: string}}}
"""


def test_a_crd_is_served_in_its_workspace_only(kubectl: Kubectl, server: ServerProcess, tree: dict) -> None:
    team_a, team_b = tree["paths"]["team-a"], tree["paths"]["team-b"]
    kubectl.run(at(server, team_a), "apply", "-f", "-", input=CRONTABS)
    kubectl.run(at(server, team_a), "wait", "--for=condition=Established", "crd/crontabs.stable.example.com",
                "--timeout=30s")
    kubectl.run(at(server, team_a), "apply", "-f", "-", input=json.dumps({
        "apiVersion": "stable.example.com/v1", "kind": "CronTab",
        "metadata": {"name": "nightly", "namespace": "default"}, "spec": {"cronSpec": "0 3 * * *"}}))
    assert kubectl.run(at(server, team_a), "get", "ct", "-o", "name").stdout == "crontab.stable.example.com/nightly\n"
    elsewhere = kubectl.run(at(server, team_b), "get", "crontabs", check=False)
    assert elsewhere.returncode != 0 and "the server doesn't have a resource type" in elsewhere.stderr
    assert "crontabs" not in kubectl.run(at(server, team_b), "api-resources", "-o", "name").stdout


def test_a_team_directly_under_root_is_refused_with_the_rule(kubectl: Kubectl, server: ServerProcess) -> None:
    result = kubectl.run(at(server, "root"), "create", "-f", "-", input=workspace("lost-team", "team"), check=False)
    assert result.returncode != 0
    assert ('workspaces.tenancy.kcp.io "lost-team" is forbidden: workspace type root:team only allows '
            "[root:organization root:team] parent workspaces, but parent type root:root only implements "
            "[root:root root:universal]") in result.stderr


def test_an_organization_inside_an_organization_is_refused(kubectl: Kubectl, server: ServerProcess,
                                                           tree: dict) -> None:
    result = kubectl.run(at(server, tree["paths"]["org"]), "create", "-f", "-",
                         input=workspace("nested-org", "organization"), check=False)
    assert result.returncode != 0
    assert "workspace type root:organization only allows [root:root] parent workspaces" in result.stderr


def test_a_workspace_without_a_type_gets_the_parents_default_child_type(kubectl: Kubectl, server: ServerProcess,
                                                                        tree: dict) -> None:
    made = create_ready(kubectl, server, tree["paths"]["team-a"], "plain", None)
    assert made["spec"]["type"] == {"name": "universal", "path": "root"}


def test_users_enter_only_the_workspaces_they_may_and_cannot_tell_which_exist(
        kubectl: Kubectl, server: ServerProcess, tree: dict) -> None:
    suffix = kubectl.binary.name.rsplit(".", 1)[-1]
    kubectl.run(at(server, "root"), "create", "clusterrole", f"ws-creator-{suffix}", "--verb=create,get",
                "--resource=workspaces.tenancy.kcp.io")
    kubectl.run(at(server, "root"), "create", "clusterrolebinding", f"alice-ws-{suffix}",
                f"--clusterrole=ws-creator-{suffix}", "--user=alice")
    name = f"alice-org-{suffix}"
    eventually(lambda: _create_as(kubectl, server, "alice", "root", workspace(name, "organization")),
               "alice may create a workspace")
    kubectl.run(at(server, "root"), "wait", "--for=jsonpath={.status.phase}=Ready", f"ws/{name}", "--timeout=30s")
    made = json.loads(kubectl.run(at(server, "root"), "get", "ws", name, "-o", "json").stdout)
    # the creator is the workspace's admin (workspace-admin, cluster-admin), so she may enter and write
    eventually(lambda: as_user(kubectl, server, "alice", f"root:{name}", "create", "configmap", "mine")[0] == 0,
               "alice writes in her workspace")
    # kubectl hides a refused discovery's message, so the refusals are read with --raw (a path from the host)
    def raw(path: str) -> str:
        return f"/clusters/{path}/api/v1/namespaces/default/configmaps"

    # everyone may read root's workspaces (kcp's system:kcp:tenancy:reader), which kubectl ws needs to enter one
    code, listed, _ = as_user(kubectl, server, "bob", "root", "get", "ws", "-o", "name")
    assert code == 0 and f"workspace.tenancy.kcp.io/{name}" in listed.split()
    code, _, bobs = as_user(kubectl, server, "bob", "root", "get", "--raw", raw(f"root:{name}"))
    assert code != 0 and "workspace access not permitted" in bobs
    # an existing workspace and one that does not exist look alike to bob, in every URL form
    for other in (f"root:nowhere-{suffix}", "zzzzzzzzzzzzzzzz", f"root:{name}:..", "*"):
        _, _, missing = as_user(kubectl, server, "bob", "root", "get", "--raw", raw(other))
        sent = other.replace("*", "%2A")  # kubectl encodes the asterisk
        assert bobs.replace(f"root:{name}", "W") == missing.replace(sent, "W"), other
    _, _, by_name = as_user(kubectl, server, "bob", "root", "get", "--raw", raw(made["spec"]["cluster"]))
    assert bobs.replace(f"root:{name}", "W") == by_name.replace(made["spec"]["cluster"], "W")
    # and alice does not get into the admin's workspaces
    code, _, alices = as_user(kubectl, server, "alice", "root", "get", "--raw", raw(tree["paths"]["team-a"]))
    assert code != 0 and "workspace access not permitted" in alices


def _create_as(kubectl: Kubectl, server: ServerProcess, user: str, path: str, body: str) -> bool:
    result = kubectl.run("--kubeconfig", str(user_kubeconfig(server, user, path)), "create", "-f", "-", input=body,
                         check=False)
    return result.returncode == 0 or "AlreadyExists" in result.stderr


def test_a_service_account_is_a_stranger_outside_its_workspace(kubectl: Kubectl, server: ServerProcess,
                                                               tree: dict) -> None:
    team_a, team_b = tree["paths"]["team-a"], tree["paths"]["team-b"]
    kubectl.run(at(server, team_a), "create", "sa", "robot")
    for path in (team_a, team_b):
        kubectl.run(at(server, path), "create", "rolebinding", "robot-view", "--clusterrole=view",
                    "--serviceaccount=default:robot", "-n", "default")
    token = kubectl.run(at(server, team_a), "create", "token", "robot").stdout.strip()
    home = eventually(lambda: kubectl.run(at(server, team_a), "--token", token, "--kubeconfig", "/dev/null",
                                          f"--certificate-authority={server.data_dir / 'pki' / 'ca.crt'}",
                                          "get", "cm", "-n", "default", "-o", "name", check=False).returncode == 0,
                      "the robot reads its own workspace")
    assert home
    away = kubectl.run(at(server, team_b), "--token", token, "--kubeconfig", "/dev/null",
                       f"--certificate-authority={server.data_dir / 'pki' / 'ca.crt'}", "get", "cm", "-n", "default",
                       check=False)
    assert away.returncode != 0
    assert 'User "system:anonymous"' in away.stderr and "workspace access not permitted" in away.stderr


def test_the_kubernetes_client_works_against_a_workspace_url(server: ServerProcess, tree: dict) -> None:
    configuration = client.Configuration()
    config.load_kube_config(config_file=str(server.kubeconfig), client_configuration=configuration)
    configuration.host = f"{server.url}/clusters/{tree['paths']['team-b']}"
    with client.ApiClient(configuration) as api:
        core = client.CoreV1Api(api)
        core.create_namespaced_config_map("default", client.V1ConfigMap(metadata=client.V1ObjectMeta(
            name="from-python"), data={"k": "v"}))
        names = [cm.metadata.name for cm in core.list_namespaced_config_map("default").items]
        assert "from-python" in names
        workspaces = client.CustomObjectsApi(api).list_cluster_custom_object("tenancy.kcp.io", "v1alpha1",
                                                                             "workspaces")
        assert workspaces["items"] == []


def test_deleting_an_organization_deletes_its_subtree_and_nothing_else(kubectl: Kubectl, server: ServerProcess,
                                                                       tree: dict) -> None:
    paths = tree["paths"]
    kubectl.run(at(server, paths["other"]), "create", "configmap", "survivor")
    kubectl.run(at(server, paths["team-a"]), "create", "configmap", "doomed")
    org = tree["org"]["metadata"]["name"]
    kubectl.run(at(server, "root"), "delete", "ws", org, "--timeout=60s")
    assert kubectl.run(at(server, "root"), "get", "ws", org, check=False).returncode != 0
    for team in ("team-a", "team-b"):  # gone for good: even system:masters finds nothing under the old name
        content = kubectl.run(at(server, tree[team]["spec"]["cluster"]), "get", "cm", "-A", "-o", "name").stdout
        assert content == ""
    assert kubectl.run(at(server, paths["other"]), "get", "cm", "survivor", "-o", "name").stdout == \
        "configmap/survivor\n"
