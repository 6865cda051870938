"""Server-side tables have kube's columns and cells for every built-in type."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from gitplane.api import builtin_types, errors, resources, tables

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
CREATED = "2024-05-01T11:55:00Z"


def _meta(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "namespace": "default", "creationTimestamp": CREATED, **extra}


@pytest.mark.parametrize(("resource_type", "names"), [
    pytest.param(builtin_types.CONFIGMAPS, ["Name", "Data", "Age"], id="configmaps"),
    pytest.param(builtin_types.SECRETS, ["Name", "Type", "Data", "Age"], id="secrets"),
    pytest.param(builtin_types.NAMESPACES, ["Name", "Status", "Age"], id="namespaces"),
    pytest.param(builtin_types.SERVICEACCOUNTS, ["Name", "Secrets", "Age"], id="serviceaccounts"),
    pytest.param(builtin_types.LEASES, ["Name", "Holder", "Age"], id="leases"),
    pytest.param(builtin_types.RESOURCEQUOTAS, ["Name", "Request", "Limit", "Age"], id="resourcequotas"),
    pytest.param(builtin_types.LIMITRANGES, ["Name", "Created At"], id="limitranges-default"),
    pytest.param(builtin_types.EVENTS, ["Last Seen", "Type", "Reason", "Object", "Subobject", "Source",
                                        "Message", "First Seen", "Count", "Name"], id="events"),
    pytest.param(builtin_types.EVENTS_V1, ["Last Seen", "Type", "Reason", "Object", "Subobject", "Source",
                                           "Message", "First Seen", "Count", "Name"], id="events-v1"),
])
def test_column_names_are_kubes(resource_type: resources.ResourceType, names: list[str]) -> None:
    """Each type has kube's printer columns, in kube's order."""
    assert [column["name"] for column in tables.columns(resource_type)] == names


def test_event_column_priorities_and_formats() -> None:
    """Event columns hide Subobject, Source, First Seen, Count and Name outside -o wide."""
    columns = tables.columns(builtin_types.EVENTS)
    assert [column["priority"] for column in columns] == [0, 0, 0, 0, 1, 1, 0, 1, 1, 1]
    assert [column["format"] for column in columns] == [""] * 9 + ["name"]
    assert {column["type"] for column in columns} == {"string"}


def test_columns_carry_kube_definitions() -> None:
    """Columns have every field of a TableColumnDefinition; descriptions come from the API docs."""
    name, data, age = tables.columns(builtin_types.CONFIGMAPS)
    assert set(name) == {"name", "type", "format", "description", "priority"}
    assert (name["type"], name["format"], name["priority"]) == ("string", "name", 0)
    assert name["description"].startswith("Name must be unique within a namespace.")
    assert data["description"].startswith("Data contains the configuration data.")
    assert age["description"].startswith("CreationTimestamp is a timestamp representing the server time")
    created_at = tables.columns(builtin_types.LIMITRANGES)[1]
    assert (created_at["type"], created_at["format"]) == ("date", "")


@pytest.mark.parametrize(("resource_type", "obj", "cells"), [
    pytest.param(builtin_types.CONFIGMAPS,
                 {"metadata": _meta("c"), "data": {"a": "1"}, "binaryData": {"b": ""}},
                 ["c", 2, "5m"], id="configmap-counts-both-maps"),
    pytest.param(builtin_types.SECRETS,
                 {"metadata": _meta("s"), "type": "Opaque", "data": {"a": "", "b": ""}},
                 ["s", "Opaque", 2, "5m"], id="secret"),
    pytest.param(builtin_types.NAMESPACES, {"metadata": _meta("n"), "status": {"phase": "Active"}},
                 ["n", "Active", "5m"], id="namespace"),
    pytest.param(builtin_types.SERVICEACCOUNTS, {"metadata": _meta("sa"), "secrets": [{"name": "t"}]},
                 ["sa", 1, "5m"], id="serviceaccount"),
    pytest.param(builtin_types.LEASES, {"metadata": _meta("l"), "spec": {"holderIdentity": "node-1"}},
                 ["l", "node-1", "5m"], id="lease"),
    pytest.param(builtin_types.LEASES, {"metadata": _meta("l"), "spec": {}}, ["l", "", "5m"],
                 id="lease-free"),
    pytest.param(builtin_types.LIMITRANGES, {"metadata": _meta("lr")}, ["lr", CREATED],
                 id="limitrange-default"),
    pytest.param(builtin_types.LIMITRANGES, {"metadata": {"name": "lr"}}, ["lr", "0001-01-01T00:00:00Z"],
                 id="default-without-creation-time"),
    pytest.param(builtin_types.CONFIGMAPS, {"metadata": {"name": "c"}}, ["c", 0, "<unknown>"],
                 id="unknown-age"),
])
def test_rows_of_simple_types(resource_type: resources.ResourceType, obj: dict[str, Any],
                              cells: list[Any]) -> None:
    """Simple types print name, counts and age as kube's printers."""
    assert tables.row(resource_type, obj, NOW) == cells


def test_resource_quota_row_splits_requests_and_limits() -> None:
    """Quota rows list used/hard per resource, sorted, limits.* in their own column."""
    quota = {"metadata": _meta("q"), "status": {
        "hard": {"pods": "10", "limits.cpu": "2", "requests.memory": "1Gi", "count/configmaps": "5"},
        "used": {"pods": "3", "limits.cpu": "500m", "requests.memory": "1073741824"}}}
    assert tables.row(builtin_types.RESOURCEQUOTAS, quota, NOW) == [
        "q", "count/configmaps: 0/5, pods: 3/10, requests.memory: 1073741824/1Gi", "limits.cpu: 500m/2", "5m"]


def test_core_event_row() -> None:
    """A core event prints last seen, type, reason, object, and the wide columns."""
    event = {
        "metadata": _meta("web.17a"),
        "involvedObject": {"kind": "Pod", "name": "web", "fieldPath": "spec.containers{app}"},
        "reason": "Started", "message": " Started container app \n", "type": "Normal",
        "source": {"component": "kubelet", "host": "node-1"},
        "firstTimestamp": "2024-05-01T11:00:00Z", "lastTimestamp": "2024-05-01T11:59:00Z", "count": 3,
    }
    assert tables.row(builtin_types.EVENTS, event, NOW) == [
        "60s", "Normal", "Started", "pod/web", "spec.containers{app}", "kubelet, node-1",
        "Started container app", "60m", 3, "web.17a"]


def test_new_style_event_row_uses_event_time_and_series() -> None:
    """An event with eventTime and a series prints its series time and count, kind alone without name."""
    event = {
        "metadata": _meta("e"), "involvedObject": {"kind": "Node"}, "reason": "Ready", "type": "Normal",
        "eventTime": "2024-05-01T10:00:00.000000Z", "reportingComponent": "kubelet",
        "reportingInstance": "node-1",
        "series": {"count": 4, "lastObservedTime": "2024-05-01T11:58:00.000000Z"},
    }
    assert tables.row(builtin_types.EVENTS, event, NOW) == [
        "2m", "Normal", "Ready", "node", "", "kubelet, node-1", "", "120m", 4, "e"]


def test_events_v1_row_reads_the_events_k8s_io_shape() -> None:
    """An events.k8s.io event prints like its core form; a single event counts 1."""
    event = {
        "metadata": _meta("e"), "regarding": {"kind": "Deployment", "name": "web"}, "note": "Scaled up",
        "reason": "ScalingReplicaSet", "type": "Normal", "eventTime": "2024-05-01T11:59:30.000000Z",
        "reportingController": "deployment-controller", "reportingInstance": "",
    }
    assert tables.row(builtin_types.EVENTS_V1, event, NOW) == [
        "30s", "Normal", "ScalingReplicaSet", "deployment/web", "", "deployment-controller", "Scaled up",
        "30s", 1, "e"]


def test_table_with_partial_object_metadata() -> None:
    """The default includeObject puts PartialObjectMetadata in each row and list metadata on the table."""
    configmap = {"metadata": _meta("c", labels={"app": "web"}), "data": {}}
    table = tables.table(builtin_types.CONFIGMAPS, [configmap], now=NOW,
                         list_meta={"resourceVersion": "42", "continue": "abc"})
    assert table["kind"] == "Table"
    assert table["apiVersion"] == "meta.k8s.io/v1"
    assert table["metadata"] == {"resourceVersion": "42", "continue": "abc"}
    assert table["columnDefinitions"] == tables.columns(builtin_types.CONFIGMAPS)
    assert table["rows"] == [{"cells": ["c", 0, "5m"], "object": {
        "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": configmap["metadata"]}}]


def test_table_with_whole_objects_sets_their_type() -> None:
    """includeObject=Object embeds the object with its kind and apiVersion."""
    lease = {"metadata": _meta("l"), "spec": {}}
    row = tables.table(builtin_types.LEASES, [lease], now=NOW, include_object="Object")["rows"][0]
    assert row["object"] == {"kind": "Lease", "apiVersion": "coordination.k8s.io/v1", **lease}


def test_table_without_objects_or_headers() -> None:
    """includeObject=None leaves the object null; noHeaders drops the column definitions."""
    table = tables.table(builtin_types.LEASES, [{"metadata": _meta("l")}], now=NOW, include_object="None",
                         with_columns=False)
    assert table["columnDefinitions"] is None
    assert table["rows"][0]["object"] is None


def test_unknown_include_object_is_a_bad_request() -> None:
    """An unknown includeObject value is a 400 worded as kube's."""
    with pytest.raises(errors.APIError) as caught:
        tables.table(builtin_types.LEASES, [], now=NOW, include_object="All")
    assert (caught.value.code, caught.value.message) == (400, 'unrecognized includeObject value: "All"')


def test_ten_thousand_rows() -> None:
    """A large list converts in one pass with one row per object."""
    configmaps = [{"metadata": _meta(f"c{index}"), "data": {"k": "v"}} for index in range(10_000)]
    table = tables.table(builtin_types.CONFIGMAPS, configmaps, now=NOW)
    assert len(table["rows"]) == 10_000
    assert table["rows"][-1]["cells"] == ["c9999", 1, "5m"]
