"""``/metrics`` is authorized as kube authorizes it: ``get`` on the non-resource URL, allowed to
``system:masters`` and to the ``system:monitoring`` group (kube's bootstrap role, which also covers every
health check); anyone else is refused in kube's words. It is served in the Prometheus text format, only at the
server's root (not below ``/clusters/<path>``)."""

from __future__ import annotations

import pytest

from gitplane.server.app import App
from gitplane.server.peer import PeerCertificate
from gitplane.server.request import UserInfo
from gitplane.storage.memory import MemoryStore
from tests.unit.server.asgi_client import AsgiClient, bootstrap, build_app
from tests.unit.server.metrics.scrape import Scrape

MONITORING = PeerCertificate("prometheus", ("system:monitoring",))


@pytest.fixture
async def app(store: MemoryStore) -> App:
    server = build_app(store, tokens={"alice-token": UserInfo("alice", ())})
    await bootstrap(AsgiClient(server))
    return server


async def test_admins_read_the_text_format(admin: AsgiClient) -> None:
    reply = await admin.get("/metrics")
    assert (reply.status, reply.header("content-type")) == (200, "text/plain; version=0.0.4; charset=utf-8")
    names = Scrape.parse(reply.body.decode()).names()
    assert {"apiserver_request_total", "apiserver_current_inflight_requests", "gitplane_open_connections",
            "gitplane_rejected_requests_total", "gitplane_store_revision", "process_cpu_seconds_total",
            "python_gc_collections_total", "python_info"} <= names
    head = await admin.request("HEAD", "/metrics")
    assert (head.status, head.body) == (200, b"")


async def test_the_monitoring_group_reads_metrics_and_every_health_check(app: App) -> None:
    monitoring = AsgiClient(app, peer=MONITORING)
    for path in ("/metrics", "/healthz", "/healthz/ping", "/livez/ping", "/readyz/ping"):
        assert (await monitoring.get(path)).status == 200, path
    refused = await monitoring.get("/api/v1/namespaces")
    assert refused.status == 403


@pytest.mark.parametrize(("peer", "token", "user"), [(None, None, "system:anonymous"), (None, "alice-token", "alice")])
async def test_everyone_else_is_refused(app: App, peer: PeerCertificate | None, token: str | None,
                                        user: str) -> None:
    reply = await AsgiClient(app, peer=peer, token=token).get("/metrics")
    assert reply.status == 403
    assert reply.json()["message"] == f'forbidden: User "{user}" cannot get path "/metrics"'


async def test_metrics_are_server_wide_so_not_served_below_a_cluster(admin: AsgiClient) -> None:
    assert (await admin.get("/clusters/root/metrics")).status == 404
