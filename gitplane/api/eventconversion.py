"""Conversion between the two views of an Event: core ``v1`` (how events are stored) and
``events.k8s.io/v1``. Field mapping as kube's conversion functions define it; fields with the same name in
both (reason, type, action, eventTime, series, reportingInstance, related) carry over unchanged."""

from __future__ import annotations

from typing import Any

# events.k8s.io/v1 field -> core v1 field
_RENAMED = {
    "regarding": "involvedObject",
    "note": "message",
    "deprecatedSource": "source",
    "deprecatedFirstTimestamp": "firstTimestamp",
    "deprecatedLastTimestamp": "lastTimestamp",
    "deprecatedCount": "count",
    "reportingController": "reportingComponent",
}
_TO_EVENTS_V1 = {core: v1 for v1, core in _RENAMED.items()}


def to_events_v1(core: dict[str, Any]) -> dict[str, Any]:
    out = {_TO_EVENTS_V1.get(key, key): value for key, value in core.items()}
    out["apiVersion"] = "events.k8s.io/v1"
    out["kind"] = "Event"
    return out


def to_core(event: dict[str, Any]) -> dict[str, Any]:
    out = {_RENAMED.get(key, key): value for key, value in event.items()}
    out["apiVersion"] = "v1"
    out["kind"] = "Event"
    return out
