"""``/metrics`` on a real server: the admin scrapes it with ``kubectl get --raw``, the request counter moves
with the requests made, the ``system:monitoring`` group may read it, anonymous and other users are refused
with 403, and 1,000 requests to random paths, names and namespaces add no series."""

from __future__ import annotations

import http.client
import random
import string
import time
from collections.abc import Iterator

import pytest
from kubernetes import client
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.conftest import Kubectl
from tests.integration.rawclient import RawClient
from tests.integration.rawsocket import connect, read_until_closed, request_head
from tests.integration.server import ServerProcess, serving

pytestmark = pytest.mark.integration

TOKENS = 'monitor-token,prometheus,prometheus,"system:monitoring"\nalice-token,alice,alice\n'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server whose token file also knows a monitoring identity and an ordinary user."""
    limits = ("--max-requests-inflight", "100", "--max-mutating-requests-inflight", "50")
    with serving(tmp_path_factory.mktemp("gitplane"), tokens=TOKENS, extra_args=limits) as proc:
        yield proc


def samples(text: str) -> list[tuple[str, dict[str, str], float]]:
    return [(s.name, s.labels, s.value) for family in text_string_to_metric_families(text) for s in family.samples]


def reads_of_default(text: str) -> float:
    """How many GETs of namespaces the server has answered 200."""
    return sum(value for name, labels, value in samples(text) if name == "apiserver_request_total"
               and labels["verb"] == "GET" and labels["resource"] == "namespaces" and labels["code"] == "200")


def test_the_admin_scrapes_and_the_request_counter_moves(kubectl: Kubectl, core: client.CoreV1Api) -> None:
    before = reads_of_default(kubectl.run("get", "--raw", "/metrics").stdout)
    for _ in range(3):
        core.read_namespace("default")
    text = kubectl.run("get", "--raw", "/metrics").stdout
    assert reads_of_default(text) == before + 3
    names = {name for name, _, _ in samples(text)}
    assert {"apiserver_request_duration_seconds_bucket", "apiserver_current_inflight_requests",
            "gitplane_store_commit_duration_seconds_bucket", "gitplane_store_wal_bytes",
            "process_resident_memory_bytes"} <= names


@pytest.mark.parametrize(("token", "status"), [(None, 403), ("alice-token", 403), ("monitor-token", 200)])
def test_only_masters_and_monitoring_may_scrape(server: ServerProcess, token: str | None, status: int) -> None:
    reply = RawClient(server.url, server.data_dir, token=token, certificate=False).request("GET", "/metrics")
    assert reply.status == status
    if status == 403:
        user = "system:anonymous" if token is None else "alice"
        assert reply.json()["message"] == f'forbidden: User "{user}" cannot get path "/metrics"'


def test_random_urls_add_no_series(server: ServerProcess) -> None:
    raw = RawClient(server.url, server.data_dir)
    conn = http.client.HTTPSConnection(raw.host, raw.port, context=raw.context, timeout=30)
    rng = random.Random(9)

    def get(path: str) -> bytes:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.read()

    def series() -> int:
        return sum(1 for name, _, _ in samples(get("/metrics").decode()) if name.startswith("apiserver_"))

    shapes = ("/api/v1/namespaces/{w}/configmaps/{w}", "/apis/{w}/{w}/{w}", "/{w}/{w}",
              "/clusters/{w}/api/v1/namespaces", "/api/v1/namespaces/default/configmaps/{w}/{w}")
    try:
        for shape in shapes:
            get(shape.format(w="warmup"))
        series()
        before = series()
        words = ["x" + "".join(rng.choices(string.ascii_lowercase, k=10)) for _ in range(1000)]
        for i, word in enumerate(words):
            get(shapes[i % len(shapes)].format(w=word))
        text = get("/metrics").decode()
        assert sum(1 for name, _, _ in samples(text) if name.startswith("apiserver_")) == before
        assert not [word for word in words if word in text]
    finally:
        conn.close()


def total(text: str, name: str, **match: str) -> float:
    return sum(value for sample, labels, value in samples(text)
               if sample == name and all(labels.get(k) == v for k, v in match.items()))


def test_open_connections_watches_and_refusals_are_counted(server: ServerProcess) -> None:
    """Three open watches show in ``apiserver_longrunning_requests`` and ``gitplane_open_connections``; a
    header over 1 MiB is counted as ``header-too-large``; all three are gone from the gauges once closed."""
    admin = RawClient(server.url, server.data_dir)

    def scrape() -> str:
        return admin.request("GET", "/metrics").body.decode()

    before = scrape()
    watches = []
    try:
        for _ in range(3):
            sock = connect(server)
            sock.sendall(request_head("GET", "/api/v1/namespaces/default/configmaps?watch=true", {}))
            assert sock.recv(12).startswith(b"HTTP/1.1 200")
            watches.append(sock)
        during = scrape()
        assert total(during, "apiserver_longrunning_requests", verb="WATCH", resource="configmaps") == \
            total(before, "apiserver_longrunning_requests", verb="WATCH", resource="configmaps") + 3
        assert total(during, "gitplane_open_connections") >= total(before, "gitplane_open_connections") + 3
        flood = connect(server, admin=False)
        flood.sendall(b"GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * (2 << 20))
        assert read_until_closed(flood, 10).startswith(b"HTTP/1.1 431")
        flood.close()
        assert total(scrape(), "gitplane_rejected_requests_total", reason="header-too-large") == \
            total(before, "gitplane_rejected_requests_total", reason="header-too-large") + 1
    finally:
        for sock in watches:
            sock.close()
    deadline = time.monotonic() + 10
    while total(scrape(), "apiserver_longrunning_requests", verb="WATCH", resource="configmaps") != \
            total(before, "apiserver_longrunning_requests", verb="WATCH", resource="configmaps"):
        assert time.monotonic() < deadline, "closed watches still counted after 10 s"
        time.sleep(0.05)
