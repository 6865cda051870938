"""The in-flight limit on a real server: with its mutating pool full, another write of an ordinary user is
refused with kube's 429 ``TooManyRequests`` and ``Retry-After: 1``, the admin (``system:masters``) is still
served, the refusal is counted in ``/metrics``, and once the slot is back the same write goes through.

How a slot is held: ``alice`` may create ConfigMaps (a RoleBinding to ``edit``); her POST announces a body it
never finishes, so the request stays in flight, having passed authorization, while it waits for the body.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import pytest

from tests.integration.rawclient import RawClient
from tests.integration.rawsocket import connect, request_head
from tests.integration.server import ServerProcess

pytestmark = pytest.mark.integration

CONFIGMAPS = "/api/v1/namespaces/default/configmaps"
ALICE = {"Authorization": "Bearer alice-token"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    data_dir = tmp_path_factory.mktemp("gitplane")
    (data_dir / "tokens.csv").write_text("alice-token,alice,alice\n")
    proc = ServerProcess(data_dir, extra_args=("--max-mutating-requests-inflight", "1")).start()
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="module")
def admin(server: ServerProcess) -> RawClient:
    return RawClient(server.url, server.data_dir)


@pytest.fixture(scope="module")
def alice(server: ServerProcess, admin: RawClient) -> RawClient:
    binding = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
               "metadata": {"name": "alice-edit"},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
               "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "alice"}]}
    assert admin.request("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
                         json.dumps(binding)).status == 201
    client = RawClient(server.url, server.data_dir, token="alice-token")
    deadline = time.monotonic() + 30
    while client.request("GET", CONFIGMAPS).status != 200:  # the binding reaches the authorizer's index
        assert time.monotonic() < deadline, "alice never got the rights of her binding"
        time.sleep(0.05)
    return client


def rejected(admin: RawClient) -> float:
    text = admin.request("GET", "/metrics").body.decode()
    match = re.search(r'^gitplane_rejected_requests_total\{reason="inflight-limit"\} (\S+)$', text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def test_a_full_mutating_pool_refuses_with_429_and_retry_after(server: ServerProcess, admin: RawClient,
                                                             alice: RawClient) -> None:
    before = rejected(admin)
    held = connect(server, admin=False)
    held.sendall(request_head("POST", CONFIGMAPS, {**ALICE, "Content-Type": "application/json",
                                                   "Content-Length": "100"}) + b'{"metadata":')
    try:
        deadline = time.monotonic() + 10
        attempt = 0
        # on a loaded machine a first write may come before the server has read the held one's head
        while (reply := alice.request("POST", CONFIGMAPS,
                                      f'{{"metadata": {{"name": "early-{attempt}"}}}}')).status != 429:
            assert reply.status == 201, reply.body
            assert time.monotonic() < deadline, "the held write never took its slot"
            attempt += 1
            time.sleep(0.05)
        again = alice.request("POST", CONFIGMAPS, '{"metadata": {"name": "beside"}}')
        assert again.status == 429, "a write was served beside the held one"
        body = reply.json()
        assert reply.headers["Retry-After"] == "1"
        assert (body["kind"], body["reason"], body["code"], body["message"]) == (
            "Status", "TooManyRequests", 429, "Too many requests, please try again later.")
        assert admin.request("POST", CONFIGMAPS, '{"metadata": {"name": "by-admin"}}').status == 201
        assert rejected(admin) > before
    finally:
        held.close()  # the cut-short write is dropped and gives its slot back
    deadline = time.monotonic() + 10
    while (reply := alice.request("POST", CONFIGMAPS, '{"metadata": {"name": "second"}}')).status == 429:
        assert time.monotonic() < deadline, "the slot never came back"
        time.sleep(0.05)
    assert reply.status == 201
