"""RBAC on a real server with kubectl: the admin creates a Role and a RoleBinding with ``kubectl create role``
and ``kubectl create rolebinding``; the bound user (by bearer token) may then read ConfigMaps in that namespace
and nothing more, is refused elsewhere in kube's words, and cannot bind a role granting more than they hold.
The bootstrap policy is served as kube ships it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.integration.conftest import Kubectl
from tests.integration.server import ServerProcess, serving

pytestmark = pytest.mark.integration

TOKENS = "alice-token,alice,alice\nbob-token,bob,bob\ncarol-token,carol,carol\n"
WAIT_SECONDS = 30.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with serving(tmp_path_factory.mktemp("gitplane"), tokens=TOKENS) as proc:
        yield proc


def user_kubeconfig(server: ServerProcess, name: str) -> Path:
    """A kubeconfig of the user ``name`` with its bearer token and no client certificate."""
    path = server.data_dir / f"{name}.kubeconfig"
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": name,
        "clusters": [{"name": "gitplane", "cluster": {
            "server": server.url, "certificate-authority": str(server.data_dir / "pki" / "ca.crt")}}],
        "users": [{"name": name, "user": {"token": f"{name}-token"}}],
        "contexts": [{"name": name, "context": {"cluster": "gitplane", "user": name}}],
    }))
    return path


def as_user(kubectl: Kubectl, server: ServerProcess, name: str, *args: str,
            check: bool = False) -> tuple[int, str, str]:
    result = kubectl.run("--kubeconfig", str(user_kubeconfig(server, name)), *args, check=check)
    return result.returncode, result.stdout, result.stderr


def eventually_allowed(kubectl: Kubectl, server: ServerProcess, name: str, *args: str) -> str:
    """The output of a command RBAC allows once the server has seen the binding (it follows its store as kube's
    informers do, so a just-written binding takes effect a moment later)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        code, out, err = as_user(kubectl, server, name, *args)
        if code == 0:
            return out
        assert "Forbidden" in err, err
        assert time.monotonic() < deadline, err


def ensure(kubectl: Kubectl, *args: str) -> None:
    """``kubectl create ...`` that may find the object made by the run of another kubectl version."""
    result = kubectl.run(*args, check=False)
    assert result.returncode == 0 or "already exists" in result.stderr, result.stderr


@pytest.fixture(scope="module")
def namespaces(kubectl: Kubectl, server: ServerProcess) -> str:
    """Namespaces team-a and team-b with a ConfigMap each; alice may read ConfigMaps in team-a."""
    for ns in ("team-a", "team-b"):
        ensure(kubectl, "create", "namespace", ns)
        ensure(kubectl, "create", "configmap", "settings", "-n", ns, "--from-literal=mode=on")
    ensure(kubectl, "create", "role", "cm-reader", "-n", "team-a", "--verb=get,list,watch", "--resource=configmaps")
    ensure(kubectl, "create", "rolebinding", "alice-reads", "-n", "team-a", "--role=cm-reader", "--user=alice")
    eventually_allowed(kubectl, server, "alice", "get", "cm", "-n", "team-a")
    return "team-a"


def test_the_bootstrap_policy_is_served(kubectl: Kubectl) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:  # written by a controller right after start
        result = kubectl.run("get", "clusterroles", "cluster-admin", "admin", "edit", "view", "system:discovery",
                             "-o", "name", check=False)
        if result.returncode == 0:
            break
        assert time.monotonic() < deadline, result.stderr
    assert result.stdout.split() == ["clusterrole.rbac.authorization.k8s.io/cluster-admin",
                                     "clusterrole.rbac.authorization.k8s.io/admin",
                                     "clusterrole.rbac.authorization.k8s.io/edit",
                                     "clusterrole.rbac.authorization.k8s.io/view",
                                     "clusterrole.rbac.authorization.k8s.io/system:discovery"]
    binding = yaml.safe_load(kubectl.run("get", "clusterrolebinding", "cluster-admin", "-o", "yaml").stdout)
    assert binding["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group",
                                    "name": "system:masters"}]


def test_the_bound_user_reads_configmaps_of_its_namespace(kubectl: Kubectl, server: ServerProcess,
                                                          namespaces: str) -> None:
    code, out, err = as_user(kubectl, server, "alice", "get", "cm", "-n", namespaces, "-o", "name")
    admin_sees = kubectl.run("get", "cm", "-n", namespaces, "-o", "name").stdout.split()
    assert (code, out.split()) == (0, admin_sees), err
    assert "configmap/settings" in admin_sees
    code, out, _ = as_user(kubectl, server, "alice", "get", "cm", "settings", "-n", namespaces,
                           "-o", "jsonpath={.data.mode}")
    assert (code, out) == (0, "on")


@pytest.mark.parametrize(("args", "message"), [
    pytest.param(("get", "cm", "-n", "team-b"),
                 'configmaps is forbidden: User "alice" cannot list resource "configmaps" in API group "" in the '
                 'namespace "team-b"', id="other-namespace"),
    pytest.param(("delete", "cm", "settings", "-n", "team-a"),
                 'configmaps "settings" is forbidden: User "alice" cannot delete resource "configmaps" in API group '
                 '"" in the namespace "team-a"', id="other-verb"),
    pytest.param(("get", "secrets", "-n", "team-a"),
                 'secrets is forbidden: User "alice" cannot list resource "secrets" in API group "" in the namespace '
                 '"team-a"', id="other-resource"),
    pytest.param(("get", "cm", "-A"),
                 'configmaps is forbidden: User "alice" cannot list resource "configmaps" in API group "" at the '
                 'cluster scope', id="all-namespaces"),
])
def test_everything_else_is_forbidden_in_kubes_words(kubectl: Kubectl, server: ServerProcess, namespaces: str,
                                                     args: tuple[str, ...], message: str) -> None:
    code, _, err = as_user(kubectl, server, "alice", *args)
    assert code == 1
    assert f"Error from server (Forbidden): {message}" in err


def test_an_unbound_user_is_refused_everywhere(kubectl: Kubectl, server: ServerProcess, namespaces: str) -> None:
    for ns in ("team-a", "team-b"):
        code, _, err = as_user(kubectl, server, "carol", "get", "cm", "-n", ns)
        assert code == 1 and 'User "carol" cannot list resource "configmaps"' in err


def test_a_user_cannot_bind_a_role_granting_more_than_they_hold(kubectl: Kubectl, server: ServerProcess,
                                                                 namespaces: str) -> None:
    ensure(kubectl, "create", "role", "binder", "-n", "team-a", "--verb=create", "--resource=rolebindings")
    ensure(kubectl, "create", "rolebinding", "alice-binds", "-n", "team-a", "--role=binder", "--user=alice")
    # a rolebinding name of its own for each kubectl version, as the server is shared between them
    version = kubectl.binary.name.rsplit(".", 1)[-1]
    eventually_allowed(kubectl, server, "alice", "create", "rolebinding", f"bob-reads-{version}", "-n", "team-a",
                       "--role=cm-reader", "--user=bob")
    code, _, err = as_user(kubectl, server, "alice", "create", "rolebinding", "bob-admin", "-n", "team-a",
                           "--clusterrole=cluster-admin", "--user=bob")
    assert code == 1  # kubectl create prints the Status message after "error: failed to create rolebinding: "
    assert ('rolebindings.rbac.authorization.k8s.io "bob-admin" is forbidden: user '
            '"alice" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n'
            '{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}') in err
    # what alice could bind, bob now holds
    eventually_allowed(kubectl, server, "bob", "get", "cm", "settings", "-n", "team-a")


def test_bindings_and_roles_print_as_kube(kubectl: Kubectl, namespaces: str) -> None:
    wide = kubectl.run("get", "rolebinding", "alice-reads", "-n", namespaces, "-o", "wide").stdout.splitlines()
    assert wide[0].split() == ["NAME", "ROLE", "AGE", "USERS", "GROUPS", "SERVICEACCOUNTS"]
    assert wide[1].split()[:2] == ["alice-reads", "Role/cm-reader"] and wide[1].split()[3] == "alice"
    described = kubectl.run("describe", "role", "cm-reader", "-n", namespaces).stdout
    assert "configmaps" in described and "[get list watch]" in described
