"""Custom resources print their CRD's printer columns as kube's CRD table convertor does: Name first, each
column's JSONPath (filters, indexes, escaped dots), typed cells, dates as ages, null for what is missing, and
``Age`` alone when the CRD declares no columns."""

from __future__ import annotations

from datetime import UTC, datetime

from gitplane.api.custom_tables import CustomResourcePrinter, compile_path

NOW = datetime(2026, 12, 3, 12, 0, 0, tzinfo=UTC)
OBJ = {
    "metadata": {"name": "c1", "creationTimestamp": "2026-12-03T11:55:00Z",
                 "labels": {"app.kubernetes.io/name": "web"}},
    "spec": {"cronSpec": "* * * * *", "replicas": 3, "ratio": 0.5, "paused": False,
             "ports": [80, 443], "selector": {"b": "2", "a": "1"}},
    "status": {"conditions": [{"type": "Synced", "status": "False"}, {"type": "Ready", "status": "True"}],
               "lastRun": "2026-12-03T09:00:00Z", "broken": "yesterday"},
}


def column(name: str, kind: str, path: str, **extra: object) -> dict[str, object]:
    return {"name": name, "type": kind, "jsonPath": path, **extra}


def test_columns_come_after_name_with_their_definitions() -> None:
    printer = CustomResourcePrinter([column("Spec", "string", ".spec.cronSpec", description="the schedule"),
                                     column("Replicas", "integer", ".spec.replicas", priority=1)])
    names = [(c["name"], c["type"], c["priority"]) for c in printer.columns()]
    assert names == [("Name", "string", 0), ("Spec", "string", 0), ("Replicas", "integer", 1)]
    assert printer.columns()[0]["format"] == "name" and printer.columns()[1]["description"] == "the schedule"


def test_cells_are_typed_as_kube_types_them() -> None:
    printer = CustomResourcePrinter([
        column("Ready", "string", '.status.conditions[?(@.type=="Ready")].status'),
        column("Replicas", "integer", ".spec.replicas"), column("Ratio", "number", ".spec.ratio"),
        column("Paused", "boolean", ".spec.paused"), column("Last", "date", ".status.lastRun"),
        column("Broken", "date", ".status.broken"), column("First", "integer", ".spec.ports[0]"),
        column("Ports", "string", ".spec.ports"), column("Selector", "string", ".spec.selector"),
        column("App", "string", ".metadata.labels.app\\.kubernetes\\.io/name"),
        column("Missing", "string", ".spec.nothing"), column("Wrong", "integer", ".spec.cronSpec"),
    ])
    assert printer.row(OBJ, NOW) == ["c1", "True", 3, 0.5, False, "3h", "<invalid>", 80, "[80 443]",
                                     "map[a:1 b:2]", "web", None, None]


def test_without_columns_the_age_is_printed() -> None:
    printer = CustomResourcePrinter([])
    assert [c["name"] for c in printer.columns()] == ["Name", "Age"]
    assert printer.row(OBJ, NOW) == ["c1", "5m"]


def test_a_path_jsonpath_cannot_read_gives_null_cells() -> None:
    assert compile_path(".spec[?(@.") is None
    assert CustomResourcePrinter([column("Bad", "string", ".spec[?(@.")]).row(OBJ, NOW) == ["c1", None]
