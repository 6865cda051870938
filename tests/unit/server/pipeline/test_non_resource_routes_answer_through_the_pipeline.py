"""Version, health, discovery and OpenAPI through the whole pipeline: who may read them, which discovery form
each kubectl gets (with the Content-Type echoed), the cluster prefix, hashed OpenAPI URLs, and unknown paths."""

from __future__ import annotations

import asyncio

import pytest

from gitplane.server.app import App
from gitplane.server.assembly import Assembly
from tests.unit.server.asgi_client import WAIT_SECONDS, AsgiClient, running

INFORMERS = ("rbac-index", "logical-cluster-index", "custom-resource-catalogs", "validating-admission-policy-index")
KUBECTL_127 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"
KUBECTL_133 = ("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
               "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json")


@pytest.fixture
def anonymous(app: App) -> AsgiClient:
    return AsgiClient(app, peer=None)


async def test_anyone_may_read_version_and_health() -> None:
    """``/version`` is JSON with major and minor; health endpoints answer ``ok`` as text once the server's
    informers have listed the store."""
    async with running(*INFORMERS) as assembled:
        anonymous = AsgiClient(assembled.app, peer=None)
        await _until_synced(assembled)
        version = await anonymous.get("/version")
        assert version.status == 200 and {"major", "minor", "gitVersion", "platform"} <= set(version.json())
        for path in ("/healthz", "/livez", "/readyz"):
            reply = await anonymous.get(path)
            assert (reply.status, reply.body, reply.header("content-type")) == (
                200, b"ok", "text/plain; charset=utf-8")


async def test_verbose_readiness_lists_each_check() -> None:
    """``?verbose`` names every check and the verdict, as kube does."""
    async with running(*INFORMERS) as assembled:
        await _until_synced(assembled)
        reply = await AsgiClient(assembled.app, peer=None).get("/readyz?verbose")
        assert reply.body == b"[+]ping ok\n[+]informer-sync ok\nreadyz check passed\n"


async def test_not_ready_until_rbac_and_catalogs_listed_the_store(anonymous: AsgiClient, admin: AsgiClient) -> None:
    """Before the RBAC index and the custom resource catalogs have listed the store, requests would be judged
    on an empty policy: readiness fails (503), naming the check but withholding the reason, as kube does; the
    check's own path (for those allowed it) gives the reason."""
    reply = await anonymous.get("/readyz?verbose")
    assert reply.status == 503
    assert reply.body == b"[+]ping ok\n[-]informer-sync failed: reason withheld\nreadyz check failed\n"
    own = await admin.get("/readyz/informer-sync")
    assert (own.status, own.body) == (
        500, b"waiting for rbac-index, logical-cluster-index, custom-resource-catalogs, "
             b"validating-admission-policy-index")
    assert (await anonymous.get("/livez")).status == 200


async def _until_synced(assembled: Assembly) -> None:
    for _ in range(int(WAIT_SECONDS / 0.001)):
        if assembled.informers_synced() is None:
            return
        await asyncio.sleep(0.001)
    raise AssertionError(f"not synced: {assembled.informers_synced()}")


async def test_anonymous_users_may_not_discover(anonymous: AsgiClient) -> None:
    """Discovery is for authenticated users only, refused in kube's words for a path."""
    reply = await anonymous.get("/api")
    assert reply.status == 403
    assert reply.json()["message"] == 'forbidden: User "system:anonymous" cannot get path "/api"'


@pytest.mark.parametrize(("accept", "content_type", "api_version"), [
    pytest.param(KUBECTL_127, "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList",
                 "apidiscovery.k8s.io/v2beta1", id="kubectl-1.27"),
    pytest.param(KUBECTL_133, "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
                 "apidiscovery.k8s.io/v2", id="kubectl-1.33"),
])
async def test_kubectl_gets_aggregated_discovery_with_its_media_type(admin: AsgiClient, accept: str,
                                                                     content_type: str, api_version: str) -> None:
    """The chosen form is echoed in Content-Type, which is how kubectl knows it got aggregated discovery."""
    for path in ("/api", "/apis"):
        reply = await admin.get(path, headers={"Accept": accept})
        assert reply.header("content-type") == content_type
        document = reply.json()
        assert (document["kind"], document["apiVersion"]) == ("APIGroupDiscoveryList", api_version)


async def test_plain_json_gets_legacy_discovery(admin: AsgiClient) -> None:
    """Without the aggregated media type: APIVersions, APIGroupList, APIGroup and APIResourceList."""
    assert (await admin.get("/api")).json()["kind"] == "APIVersions"
    assert (await admin.get("/apis")).json()["kind"] == "APIGroupList"
    assert (await admin.get("/apis/coordination.k8s.io")).json()["kind"] == "APIGroup"
    resources = (await admin.get("/apis/coordination.k8s.io/v1")).json()
    assert (resources["kind"], [r["name"] for r in resources["resources"]]) == ("APIResourceList", ["leases"])


async def test_discovery_is_the_same_under_the_cluster_prefix(admin: AsgiClient) -> None:
    """``/clusters/root/api/v1`` answers what ``/api/v1`` answers."""
    assert (await admin.get("/clusters/root/api/v1")).body == (await admin.get("/api/v1")).body


async def test_unknown_discovery_paths_are_404(admin: AsgiClient) -> None:
    """A group or version that is not served is kube's route-not-found Status."""
    for path in ("/apis/example.com", "/apis/coordination.k8s.io/v9", "/api/v9"):
        reply = await admin.get(path)
        assert (reply.status, reply.json()["reason"]) == (404, "NotFound"), path


async def test_hashed_openapi_urls_are_immutable_and_stale_ones_redirect(admin: AsgiClient) -> None:
    """The index's URL may be cached forever; an old hash is sent to the current document."""
    index = (await admin.get("/openapi/v3")).json()
    url = index["paths"]["api/v1"]["serverRelativeURL"]
    current = await admin.get(url)
    assert (current.status, current.header("cache-control")) == (200, "public, immutable")
    assert current.json()["openapi"].startswith("3.")
    stale = await admin.get("/openapi/v3/api/v1?hash=0123")
    assert (stale.status, stale.header("location")) == (301, url)


async def test_unknown_paths_are_404_text(admin: AsgiClient) -> None:
    """Paths nobody serves get Go's plain ``404 page not found``."""
    reply = await admin.get("/nothing/here")
    assert (reply.status, reply.body) == (404, b"404 page not found\n")


async def test_non_resource_paths_are_read_only(admin: AsgiClient) -> None:
    """Writes to non-resource paths are MethodNotAllowed, even for system:masters."""
    reply = await admin.request("POST", "/version", {})
    assert (reply.status, reply.json()["reason"]) == (405, "MethodNotAllowed")
