"""Request metrics carry kube-apiserver's names, labels and buckets: the verb as kube reports it (GET and LIST,
POST, PUT, PATCH and APPLY, DELETE for both deletions, WATCH), the scope, dry run, the code; non-resource
requests carry no group, resource or path; watches are open in ``apiserver_longrunning_requests`` and counted
when they end; the duration histogram has kube's buckets and counts what the request counter counts."""

from __future__ import annotations

from gitplane.storage.memory import MemoryStore
from tests.unit.server.asgi_client import AsgiClient, build_app
from tests.unit.server.metrics.scrape import scrape

KUBE_BUCKETS = ["0.005", "0.025", "0.05", "0.1", "0.2", "0.4", "0.6", "0.8", "1", "1.25", "1.5", "2", "3", "4",
                "5", "6", "8", "10", "15", "20", "30", "45", "60", "+Inf"]
CONFIGMAPS = "/api/v1/namespaces/unit/configmaps"


def target(verb: str, scope: str, code: str, resource: str = "configmaps", **labels: str) -> dict[str, str]:
    return {"verb": verb, "group": "", "version": "v1", "resource": resource, "subresource": "", "scope": scope,
            "component": "apiserver", "dry_run": "", "code": code, **labels}


async def test_each_verb_is_reported_as_kube_reports_it(admin: AsgiClient, namespace: str) -> None:
    await admin.create(CONFIGMAPS, {"metadata": {"name": "a"}})
    await admin.get(f"{CONFIGMAPS}/a")
    await admin.get(CONFIGMAPS)
    await admin.get("/api/v1/namespaces")
    current = (await admin.get(f"{CONFIGMAPS}/a")).json()
    await admin.request("PUT", f"{CONFIGMAPS}/a", current)
    await admin.patch(f"{CONFIGMAPS}/a", {"data": {"k": "v"}})
    await admin.patch(f"{CONFIGMAPS}/a", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", kind="apply",
                      query="?fieldManager=unit")
    await admin.request("DELETE", f"{CONFIGMAPS}/a")
    await admin.request("DELETE", CONFIGMAPS)
    metrics = await scrape(admin)
    for labels in (target("POST", "resource", "201"), target("GET", "resource", "200"),
                   target("LIST", "namespace", "200"), target("LIST", "cluster", "200", resource="namespaces"),
                   target("PUT", "resource", "200"), target("PATCH", "resource", "200"),
                   target("APPLY", "resource", "200"), target("DELETE", "resource", "200"),
                   target("DELETE", "namespace", "200")):
        assert metrics.value("apiserver_request_total", **labels) >= 1, labels


async def test_dry_run_is_a_label_of_three_values(admin: AsgiClient, namespace: str) -> None:
    await admin.request("POST", f"{CONFIGMAPS}?dryRun=All", {"metadata": {"name": "dry"}})
    await admin.request("POST", f"{CONFIGMAPS}?dryRun=Sometimes", {"metadata": {"name": "dry"}})
    metrics = await scrape(admin)
    assert metrics.value("apiserver_request_total", verb="POST", dry_run="All", code="201") == 1
    invalid = [labels for labels in metrics.labels("apiserver_request_total") if labels["dry_run"] == "invalid"]
    assert [labels["verb"] for labels in invalid] == ["POST"]


async def test_non_resource_requests_carry_no_group_resource_or_path(admin: AsgiClient) -> None:
    await admin.get("/version")
    await admin.get("/healthz/ping")
    metrics = await scrape(admin)
    non_resource = [labels for labels in metrics.labels("apiserver_request_total") if labels["scope"] == ""]
    assert non_resource and all(
        (labels["group"], labels["version"], labels["resource"], labels["subresource"]) == ("", "", "", "")
        for labels in non_resource)
    assert metrics.value("apiserver_request_total", verb="GET", scope="", code="200") >= 2


async def test_durations_have_kubes_buckets_and_count_what_the_counter_counts(admin: AsgiClient,
                                                                           namespace: str) -> None:
    for name in ("a", "b", "c"):
        await admin.create(CONFIGMAPS, {"metadata": {"name": name}})
    await admin.request("POST", CONFIGMAPS, {"metadata": {"name": "a"}})  # 409: the same labels, another code
    metrics = await scrape(admin)
    post = {"verb": "POST", "resource": "configmaps", "scope": "resource"}
    buckets = [s for s in metrics.samples if s.name == "apiserver_request_duration_seconds_bucket"
               and post.items() <= s.labels.items()]
    assert [s.labels["le"] for s in buckets] == KUBE_BUCKETS
    assert "code" not in buckets[0].labels
    created = metrics.value("apiserver_request_total", code="201", **post)
    conflicts = metrics.value("apiserver_request_total", code="409", **post)
    assert (created, conflicts) == (3, 1)
    assert metrics.value("apiserver_request_duration_seconds_count", **post) == created + conflicts
    assert metrics.value("apiserver_request_duration_seconds_sum", **post) > 0


async def test_watches_are_long_running_while_open_and_counted_when_they_end(admin: AsgiClient,
                                                                              namespace: str) -> None:
    watching = {"verb": "WATCH", "resource": "configmaps", "scope": "namespace", "version": "v1", "group": ""}
    async with admin.watch(f"{CONFIGMAPS}?watch=true") as stream:
        assert stream.status == 200
        metrics = await scrape(admin)
        assert metrics.value("apiserver_longrunning_requests", **watching) == 1
        assert metrics.value("apiserver_request_total", **watching) == 0
    metrics = await scrape(admin)
    assert metrics.value("apiserver_longrunning_requests", **watching) == 0
    assert metrics.value("apiserver_request_total", code="200", **watching) == 1


async def test_each_server_counts_only_its_own_requests(admin: AsgiClient) -> None:
    """Two servers in one process have registries of their own (the unit tests assemble many)."""
    other_store = MemoryStore()
    try:
        other = AsgiClient(build_app(other_store))
        await other.get("/version")
        await other.get("/version")
        first, second = await scrape(admin), await scrape(other)
        assert first.value("apiserver_request_total", verb="GET", scope="", code="200") == 0
        assert second.value("apiserver_request_total", verb="GET", scope="", code="200") == 2
    finally:
        await other_store.close()
