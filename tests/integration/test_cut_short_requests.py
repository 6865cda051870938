"""A request whose body is cut short is never acted on: the partial body is dropped, nothing is stored.

The client sends headers announcing the whole body (Content-Length, or chunked) and closes the connection
(or stalls until the body timeout closes it) before the body ends, at a point where the partial body still
parses. The server counts each such request (``gitplane_rejected_requests_total{reason="truncated-body"}``
or ``"body-timeout"``), which the tests wait for before they look at the object.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.rawclient import RawClient
from tests.integration.rawsocket import connect, read_until_closed, request_head
from tests.integration.server import ServerProcess

pytestmark = pytest.mark.integration

CM_PATH = "/api/v1/namespaces/default/configmaps"
FULL_YAML = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  a: '1'\n  b: '2'\n  c: '3'\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("gitplane"), extra_args=["--request-body-timeout", "2"]).start()
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="module")
def admin(server: ServerProcess) -> RawClient:
    return RawClient(server.url, server.data_dir)


def rejected(admin: RawClient, reason: str) -> float:
    text = admin.request("GET", "/metrics").body.decode()
    match = re.search(r'^gitplane_rejected_requests_total\{reason="' + re.escape(reason) + r'"\} (\S+)$', text,
                      re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def wait_rejected(admin: RawClient, reason: str, above: float, limit: float = 10.0) -> None:
    deadline = time.monotonic() + limit
    while rejected(admin, reason) <= above:
        if time.monotonic() > deadline:
            raise AssertionError(f"the server did not report a {reason} request within {limit} s")
        time.sleep(0.02)


def send_cut_short(server: ServerProcess, method: str, path: str, body: bytes, *, cut: int, content_type: str,
                   chunked: bool = False) -> None:
    """Send ``method path`` announcing ``body`` whole, send its first ``cut`` bytes, and close."""
    headers = {"Content-Type": content_type}
    if chunked:
        headers["Transfer-Encoding"] = "chunked"
        part = body[:cut]
        payload = f"{len(part):x}\r\n".encode() + part + b"\r\n"  # no final zero-length chunk
    else:
        headers["Content-Length"] = str(len(body))
        payload = body[:cut]
    with connect(server) as sock:
        sock.sendall(request_head(method, path, headers) + payload)


def create(admin: RawClient, name: str) -> dict[str, object]:
    reply = admin.request("POST", CM_PATH, json.dumps({"apiVersion": "v1", "kind": "ConfigMap",
                                                        "metadata": {"name": name}, "data": {"x": "0"}}))
    assert reply.status == 201, reply.body
    return dict(reply.json())


def test_put_of_yaml_cut_after_the_first_key_changes_nothing(server: ServerProcess, admin: RawClient) -> None:
    before = create(admin, "put-yaml")
    body = FULL_YAML.format(name="put-yaml").encode()
    counted = rejected(admin, "truncated-body")
    send_cut_short(server, "PUT", f"{CM_PATH}/put-yaml", body, cut=body.index(b"  b:"),
                   content_type="application/yaml")
    wait_rejected(admin, "truncated-body", counted)
    after = admin.request("GET", f"{CM_PATH}/put-yaml").json()
    assert after["data"] == {"x": "0"}
    assert after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]  # type: ignore[index]


def test_post_of_json_cut_where_it_still_parses_stores_nothing(server: ServerProcess, admin: RawClient) -> None:
    obj = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "post-json"},
                      "data": {"a": "1"}}).encode()
    body = obj + b" " * 64  # the client announces trailing white space: the cut body is complete JSON
    counted = rejected(admin, "truncated-body")
    send_cut_short(server, "POST", CM_PATH, body, cut=len(obj), content_type="application/json")
    wait_rejected(admin, "truncated-body", counted)
    assert admin.request("GET", f"{CM_PATH}/post-json").status == 404


def test_post_of_yaml_cut_short_stores_nothing(server: ServerProcess, admin: RawClient) -> None:
    body = FULL_YAML.format(name="post-yaml").encode()
    counted = rejected(admin, "truncated-body")
    send_cut_short(server, "POST", CM_PATH, body, cut=body.index(b"  b:"), content_type="application/yaml")
    wait_rejected(admin, "truncated-body", counted)
    assert admin.request("GET", f"{CM_PATH}/post-yaml").status == 404


def test_chunked_body_without_its_last_chunk_stores_nothing(server: ServerProcess, admin: RawClient) -> None:
    body = FULL_YAML.format(name="chunked").encode()
    counted = rejected(admin, "truncated-body")
    send_cut_short(server, "POST", CM_PATH, body, cut=len(body), content_type="application/yaml", chunked=True)
    wait_rejected(admin, "truncated-body", counted)
    assert admin.request("GET", f"{CM_PATH}/chunked").status == 404


def test_patch_cut_short_changes_nothing(server: ServerProcess, admin: RawClient) -> None:
    create(admin, "patched")
    body = json.dumps({"data": {"a": "1"}}).encode() + b"\n" * 16
    counted = rejected(admin, "truncated-body")
    send_cut_short(server, "PATCH", f"{CM_PATH}/patched", body, cut=body.index(b"\n"),
                   content_type="application/merge-patch+json")
    wait_rejected(admin, "truncated-body", counted)
    assert admin.request("GET", f"{CM_PATH}/patched").json()["data"] == {"x": "0"}


def test_a_stalled_chunked_body_is_closed_at_the_body_timeout_and_dropped(server: ServerProcess,
                                                                          admin: RawClient) -> None:
    body = FULL_YAML.format(name="stalled").encode()
    counted = rejected(admin, "body-timeout")
    with connect(server) as sock:
        head = request_head("POST", CM_PATH, {"Content-Type": "application/yaml", "Transfer-Encoding": "chunked"})
        sock.sendall(head + f"{len(body):x}\r\n".encode() + body + b"\r\n")
        started = time.monotonic()
        assert read_until_closed(sock, limit=10) == b""  # closed without an answer
        assert time.monotonic() - started < 6
    wait_rejected(admin, "body-timeout", counted)
    assert admin.request("GET", f"{CM_PATH}/stalled").status == 404


def test_whole_bodies_still_work_after_cut_short_ones(server: ServerProcess, admin: RawClient, tmp_path: Path) -> None:
    reply = admin.request("POST", CM_PATH, FULL_YAML.format(name="whole"), content_type="application/yaml")
    assert reply.status == 201
    assert reply.json()["data"] == {"a": "1", "b": "2", "c": "3"}
