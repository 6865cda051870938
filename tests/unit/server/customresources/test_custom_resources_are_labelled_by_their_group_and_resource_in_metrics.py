"""Requests to custom resources are counted under their group, version and resource, as kube labels them; a
scale subresource is a served subresource; and only a bounded number of custom types is ever labelled, the
rest counting as ``unknown`` (custom types come and go, and every workspace may define its own)."""

from __future__ import annotations

import pytest

from gitplane.server import metrics_requests
from tests.unit.server.asgi_client import AsgiClient
from tests.unit.server.customresources.test_crds_are_served_once_established import (
    CRDS,
    crontab_crd,
    established,
    until,
)
from tests.unit.server.metrics.scrape import scrape

GROUP = "stable.example.com"


async def serve(admin: AsgiClient, plural: str, kind: str) -> str:
    crd = crontab_crd(f"{plural}.{GROUP}", plural, kind)
    crd["spec"]["names"]["shortNames"] = [plural[:3]]
    await admin.create(CRDS, crd)
    await established(admin, f"{plural}.{GROUP}")
    path = f"/apis/{GROUP}/v1/namespaces/default/{plural}"
    await until(admin, path, 200)
    return path


async def test_a_custom_resource_is_labelled_by_its_group_version_and_resource(admin: AsgiClient) -> None:
    path = await serve(admin, "crontabs", "CronTab")
    await admin.get(path)
    await admin.get(f"{path}/missing/status")
    metrics = await scrape(admin)
    listed = metrics.value("apiserver_request_total", verb="LIST", group=GROUP, version="v1", resource="crontabs",
                           scope="namespace", code="200")
    assert listed >= 2  # the poll that waited for it, and the list
    assert metrics.value("apiserver_request_total", verb="GET", group=GROUP, resource="crontabs",
                         subresource="status", scope="resource", code="404") == 1
    assert not [labels for labels in metrics.labels("apiserver_request_total")
                if labels["resource"] == "unknown" and labels["code"] == "200"]


async def test_custom_types_beyond_the_bound_count_as_unknown(admin: AsgiClient,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics_requests, "MAX_CUSTOM_RESOURCES", 1)
    first = await serve(admin, "crontabs", "CronTab")
    second = await serve(admin, "widgets", "Widget")
    await admin.get(first)
    await admin.get(second)
    metrics = await scrape(admin)
    labelled = {labels["resource"] for labels in metrics.labels("apiserver_request_total")
                if labels["group"] == GROUP}
    assert len(labelled) == 1
    assert metrics.value("apiserver_request_total", verb="LIST", resource="unknown", code="200") >= 1
