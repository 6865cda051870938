"""Reviews and impersonation on a real server, with kubectl 1.27 and 1.33 and the kubernetes client:
``kubectl auth can-i`` (yes/no as RBAC says, ``--list`` with resource names and non-resource URLs, ``--as``),
``kubectl auth whoami`` for the admin, a static-token user and a ServiceAccount token, ``kubectl --as --as-group``
served with the impersonated user's rights, TokenReview, SubjectAccessReview and LocalSubjectAccessReview; and
the isolation-matrix case that impersonation without the impersonate verb is refused."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client
from kubernetes.client.rest import ApiException

from gitplane.server.serviceaccounts import tokens
from gitplane.server.serviceaccounts.signing import SERVICE_ACCOUNT_KEY, Signer, load_or_create_key
from tests.integration.conftest import Kubectl
from tests.integration.server import ServerProcess, serving

pytestmark = pytest.mark.integration

TOKENS = 'alice-token,alice,alice-uid,"devs"\nbob-token,bob,bob\ncarol-token,carol,carol\n'
WAIT_SECONDS = 30.0
API_AUDIENCE = "https://kubernetes.default.svc.cluster.local"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with serving(tmp_path_factory.mktemp("gitplane"), tokens=TOKENS) as proc:
        yield proc


def kubeconfig_with_token(server: ServerProcess, name: str, token: str) -> Path:
    """A kubeconfig with ``token`` and no client certificate (a certificate would win)."""
    path = server.data_dir / f"{name}.kubeconfig"
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": name,
        "clusters": [{"name": "gitplane", "cluster": {
            "server": server.url, "certificate-authority": str(server.data_dir / "pki" / "ca.crt")}}],
        "users": [{"name": name, "user": {"token": token}}],
        "contexts": [{"name": name, "context": {"cluster": "gitplane", "user": name}}],
    }))
    return path


def as_user(kubectl: Kubectl, server: ServerProcess, name: str, *args: str) -> tuple[int, str, str]:
    result = kubectl.run("--kubeconfig", str(kubeconfig_with_token(server, name, f"{name}-token")), *args,
                         check=False)
    return result.returncode, result.stdout, result.stderr


def ensure(kubectl: Kubectl, *args: str) -> None:
    """``kubectl create ...`` that may find the object made by the run of another kubectl version."""
    result = kubectl.run(*args, check=False)
    assert result.returncode == 0 or "already exists" in result.stderr, result.stderr


@pytest.fixture(scope="module")
def policy(kubectl: Kubectl, server: ServerProcess) -> None:
    """team-a and team-b with a ConfigMap each; alice may read ConfigMaps in team-a and get the one Secret
    ``app-secret`` there; carol may impersonate the user alice (and nothing else)."""
    for ns in ("team-a", "team-b"):
        ensure(kubectl, "create", "namespace", ns)
        ensure(kubectl, "create", "configmap", "settings", "-n", ns, "--from-literal=mode=on")
    ensure(kubectl, "create", "role", "cm-reader", "-n", "team-a", "--verb=get,list,watch", "--resource=configmaps")
    ensure(kubectl, "create", "rolebinding", "alice-reads", "-n", "team-a", "--role=cm-reader", "--user=alice")
    ensure(kubectl, "create", "role", "one-secret", "-n", "team-a", "--verb=get", "--resource=secrets",
           "--resource-name=app-secret")
    ensure(kubectl, "create", "rolebinding", "alice-secret", "-n", "team-a", "--role=one-secret", "--user=alice")
    ensure(kubectl, "create", "clusterrole", "as-alice", "--verb=impersonate", "--resource=users",
           "--resource-name=alice")
    ensure(kubectl, "create", "clusterrolebinding", "carol-as-alice", "--clusterrole=as-alice", "--user=carol")
    deadline = time.monotonic() + WAIT_SECONDS  # the RBAC index follows the store, as kube's informers do
    while as_user(kubectl, server, "alice", "auth", "can-i", "get", "secrets/app-secret", "-n", "team-a")[0] != 0 \
            or as_user(kubectl, server, "carol", "auth", "can-i", "impersonate", "users/alice")[0] != 0:
        assert time.monotonic() < deadline, "the RBAC bindings did not take effect"


@pytest.mark.parametrize(("args", "answer"), [
    pytest.param(("get", "cm", "-n", "team-a"), "yes", id="bound"),
    pytest.param(("get", "cm", "-n", "team-b"), "no", id="other-namespace"),
    pytest.param(("delete", "cm", "-n", "team-a"), "no", id="other-verb"),
    pytest.param(("get", "secrets/app-secret", "-n", "team-a"), "yes", id="resource-name"),
    pytest.param(("get", "secrets/other", "-n", "team-a"), "no", id="other-name"),
    pytest.param(("get", "/healthz"), "yes", id="non-resource-url"),
    pytest.param(("get", "/metrics"), "no", id="other-url"),
])
def test_can_i_answers_as_rbac_says(kubectl: Kubectl, server: ServerProcess, policy: None, args: tuple[str, ...],
                                    answer: str) -> None:
    code, out, err = as_user(kubectl, server, "alice", "auth", "can-i", *args)
    assert (out.strip(), code) == (answer, 0 if answer == "yes" else 1), err


def test_can_i_list_shows_the_rules_of_the_namespace(kubectl: Kubectl, server: ServerProcess, policy: None) -> None:
    code, out, err = as_user(kubectl, server, "alice", "auth", "can-i", "--list", "-n", "team-a")
    assert code == 0, err
    rows = [line.split() for line in out.splitlines()]
    assert rows[0] == ["Resources", "Non-Resource", "URLs", "Resource", "Names", "Verbs"]
    assert ["configmaps", "[]", "[]", "[get", "list", "watch]"] in rows
    assert ["secrets", "[]", "[app-secret]", "[get]"] in rows
    assert ["selfsubjectaccessreviews.authorization.k8s.io", "[]", "[]", "[create]"] in rows
    assert ["[/healthz]", "[]", "[get]"] in rows
    elsewhere = as_user(kubectl, server, "alice", "auth", "can-i", "--list", "-n", "team-b")[1]
    assert "configmaps" not in elsewhere and "app-secret" not in elsewhere


def test_can_i_as_another_user_answers_for_that_user(kubectl: Kubectl, policy: None) -> None:
    assert kubectl.run("auth", "can-i", "get", "cm", "-n", "team-a", "--as=alice").stdout.strip() == "yes"
    refused = kubectl.run("auth", "can-i", "get", "cm", "-n", "team-b", "--as=alice", check=False)
    assert (refused.stdout.strip(), refused.returncode) == ("no", 1)


def test_can_i_as_another_user_is_refused_without_the_impersonate_verb(kubectl: Kubectl, server: ServerProcess,
                                                                       policy: None) -> None:
    code, _, err = as_user(kubectl, server, "bob", "auth", "can-i", "get", "cm", "--as=alice")
    assert code != 0
    assert ('users "alice" is forbidden: User "bob" cannot impersonate resource "users" in API group "" at the '
            "cluster scope") in err


def test_as_and_as_group_serve_the_request_with_the_impersonated_users_rights(kubectl: Kubectl,
                                                                              policy: None) -> None:
    listed = kubectl.run("--as=alice", "--as-group=g", "get", "cm", "-n", "team-a", "-o", "name").stdout.split()
    assert "configmap/settings" in listed
    refused = kubectl.run("--as=alice", "--as-group=g", "get", "cm", "-n", "team-b", check=False)
    assert refused.returncode == 1
    assert ('Error from server (Forbidden): configmaps is forbidden: User "alice" cannot list resource '
            '"configmaps" in API group "" in the namespace "team-b"') in refused.stderr


def whoami(kubectl: Kubectl, *args: str) -> dict[str, Any]:
    info: dict[str, Any] = json.loads(kubectl.run(*args, "auth", "whoami", "-o", "json").stdout)["status"][
        "userInfo"]
    return info


def test_whoami_names_the_admin(kubectl: Kubectl) -> None:
    table = kubectl.run("auth", "whoami").stdout.splitlines()
    assert table[0].split() == ["ATTRIBUTE", "VALUE"]
    assert table[1].split() == ["Username", "gitplane-admin"]
    assert whoami(kubectl)["groups"] == ["system:masters", "system:authenticated"]


def test_whoami_names_a_static_token_user(kubectl: Kubectl, server: ServerProcess) -> None:
    config = kubeconfig_with_token(server, "alice", "alice-token")
    assert whoami(kubectl, "--kubeconfig", str(config)) == {
        "username": "alice", "uid": "alice-uid", "groups": ["devs", "system:authenticated"]}


def test_whoami_names_a_service_account_from_kubectl_create_token(kubectl: Kubectl, server: ServerProcess) -> None:
    name = f"robot-{uuid.uuid4().hex[:6]}"
    kubectl.run("create", "serviceaccount", name, "-n", "team-a")
    token = kubectl.run("create", "token", name, "-n", "team-a").stdout.strip()
    info = whoami(kubectl, "--kubeconfig", str(kubeconfig_with_token(server, name, token)))
    assert info["username"] == f"system:serviceaccount:team-a:{name}"
    assert info["groups"] == ["system:serviceaccounts", "system:serviceaccounts:team-a", "system:authenticated"]
    assert info["uid"] == kubectl.run("get", "sa", name, "-n", "team-a", "-o", "jsonpath={.metadata.uid}").stdout


def test_whoami_as_another_user(kubectl: Kubectl) -> None:
    assert whoami(kubectl, "--as=alice", "--as-group=g") == {"username": "alice",
                                                             "groups": ["g", "system:authenticated"]}


@pytest.mark.parametrize(("caller", "args", "message"), [
    pytest.param("bob", ("--as=alice",), 'users "alice" is forbidden: User "bob" cannot impersonate resource '
                 '"users" in API group "" at the cluster scope', id="user"),
    pytest.param("bob", ("--as=system:serviceaccount:team-a:default",),
                 'serviceaccounts "default" is forbidden: User "bob" cannot impersonate resource "serviceaccounts" '
                 'in API group "" in the namespace "team-a"', id="serviceaccount"),
    pytest.param("carol", ("--as=bob",), 'users "bob" is forbidden: User "carol" cannot impersonate resource '
                 '"users" in API group "" at the cluster scope', id="another-name"),
    pytest.param("carol", ("--as=alice", "--as-group=system:masters"),
                 'groups "system:masters" is forbidden: User "carol" cannot impersonate resource "groups" in API '
                 'group "" at the cluster scope', id="group"),
    pytest.param("carol", ("--as=alice", "--as-uid=0"),
                 'uids.authentication.k8s.io "0" is forbidden: User "carol" cannot impersonate resource "uids" in '
                 'API group "authentication.k8s.io" at the cluster scope', id="uid"),
])
def test_isolation_matrix_impersonation_without_the_impersonate_verb_is_refused(
        kubectl: Kubectl, server: ServerProcess, policy: None, *, caller: str, args: tuple[str, ...],
        message: str) -> None:
    """Whatever is asked (a user, a ServiceAccount, a group such as system:masters, a uid), each needs its own
    grant; carol may be alice and no more."""
    code, _, err = as_user(kubectl, server, caller, *args, "get", "cm", "-n", "team-a")
    assert code == 1
    assert f"Error from server (Forbidden): {message}" in err
    assert as_user(kubectl, server, "carol", "--as=alice", "get", "cm", "-n", "team-a")[0] == 0


# -- the kubernetes client --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def authentication(api_client: client.ApiClient) -> client.AuthenticationV1Api:
    return client.AuthenticationV1Api(api_client)


@pytest.fixture(scope="module")
def authorization(api_client: client.ApiClient) -> client.AuthorizationV1Api:
    return client.AuthorizationV1Api(api_client)


def token_review(api: client.AuthenticationV1Api, token: str, audiences: list[str] | None = None) -> Any:
    spec = client.V1TokenReviewSpec(token=token, audiences=audiences)
    return api.create_token_review(client.V1TokenReview(spec=spec)).status


def test_token_review_of_valid_tokens(authentication: client.AuthenticationV1Api, core: client.CoreV1Api) -> None:
    status = token_review(authentication, "alice-token")
    assert (status.authenticated, status.user.username, status.user.uid) == (True, "alice", "alice-uid")
    assert status.audiences == [API_AUDIENCE]
    name = f"robot-{uuid.uuid4().hex[:6]}"
    core.create_namespaced_service_account("default", client.V1ServiceAccount(metadata={"name": name}))
    issued = core.create_namespaced_service_account_token(name, "default", client.AuthenticationV1TokenRequest(
        spec=client.V1TokenRequestSpec(audiences=["vault"], expiration_seconds=600)))
    status = token_review(authentication, issued.status.token, ["vault"])
    assert (status.authenticated, status.user.username, status.audiences) == (
        True, f"system:serviceaccount:default:{name}", ["vault"])
    assert "system:serviceaccounts:default" in status.user.groups


def test_token_review_of_expired_and_forged_tokens(authentication: client.AuthenticationV1Api,
                                                   core: client.CoreV1Api, server: ServerProcess) -> None:
    name = f"robot-{uuid.uuid4().hex[:6]}"
    account = core.create_namespaced_service_account("default", client.V1ServiceAccount(metadata={"name": name}))
    server_signer = Signer(load_or_create_key(server.data_dir / "pki" / SERVICE_ACCOUNT_KEY))
    expired = server_signer.sign(tokens.claims(
        signer=server_signer, cluster="root", namespace="default", name=name, uid=account.metadata.uid,
        audiences=[API_AUDIENCE], expiration_seconds=600, now=time.time() - 3600))
    status = token_review(authentication, expired)
    assert (status.authenticated, status.error) == (None, "service account token has expired")
    forged = ("eyJhbGciOiJSUzI1NiIsImtpZCI6IngifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGVmYXVsdDpyb2JvdCJ9."
              "c2lnbmF0dXJl")
    status = token_review(authentication, forged)
    assert (status.authenticated, status.user, status.error) == (None, None, "invalid bearer token")


def resource_attributes(namespace: str, verb: str = "get") -> client.V1ResourceAttributes:
    return client.V1ResourceAttributes(namespace=namespace, verb=verb, resource="configmaps")


def test_subject_access_review_answers_for_the_subject(authorization: client.AuthorizationV1Api,
                                                       policy: None) -> None:
    spec = client.V1SubjectAccessReviewSpec(user="alice", resource_attributes=resource_attributes("team-a"))
    status = authorization.create_subject_access_review(client.V1SubjectAccessReview(spec=spec)).status
    assert (status.allowed, status.reason) == (
        True, 'RBAC: allowed by RoleBinding "alice-reads/team-a" of Role "cm-reader" to User "alice"')
    spec.resource_attributes = resource_attributes("team-b")
    status = authorization.create_subject_access_review(client.V1SubjectAccessReview(spec=spec)).status
    assert (status.allowed, status.denied) == (False, None)


def test_local_subject_access_review_answers_in_its_namespace(authorization: client.AuthorizationV1Api,
                                                              policy: None) -> None:
    def ask(namespace: str, attributes_namespace: str) -> Any:
        spec = client.V1SubjectAccessReviewSpec(user="alice", resource_attributes=resource_attributes(
            attributes_namespace, "list"))
        return authorization.create_namespaced_local_subject_access_review(
            namespace, client.V1LocalSubjectAccessReview(spec=spec)).status

    assert ask("team-a", "team-a").allowed is True
    assert ask("team-b", "team-b").allowed is False
    with pytest.raises(ApiException) as caught:
        ask("team-a", "team-b")
    assert caught.value.status == 422
    assert json.loads(caught.value.body)["message"] == (
        'LocalSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes.namespace: Invalid '
        'value: "team-b": must match metadata.namespace')
