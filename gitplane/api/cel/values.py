"""How a stored JSON value is shown to CEL: the schema decides a few conversions, planned once per schema node.

kube binds ``self`` through the schema's CEL types, which differs from the raw JSON in four ways reproduced here:

* ``type: number`` is a double, even when the JSON has an integer (``1`` → ``1.0``);
* ``format: date-time`` strings are timestamps and ``format: duration`` strings are durations (handed to the
  runtime as ``google.protobuf.Timestamp``/``Duration`` messages, which it reads as CEL timestamps/durations);
  a string that does not parse stays a string;
* at a resource root and at every ``x-kubernetes-embedded-resource``, ``metadata`` holds only ``name`` and
  ``generateName``.

    schema --plan()--> None (the JSON is used as it is, the common case) | View (a function value -> CEL value)

The plan is built at compile time; a subtree that needs no conversion costs nothing per write.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from google.protobuf import duration_pb2, timestamp_pb2

View = Callable[[Any], Any]

_GO_DURATION = re.compile(r"([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def _number(value: Any) -> Any:
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _timestamp(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return value
    if parsed.tzinfo is None:
        return value
    message = timestamp_pb2.Timestamp()
    message.FromDatetime(parsed)
    return message


def parse_go_duration(text: str) -> timedelta | None:
    """Go's ``time.ParseDuration`` (``1h30m``, ``-1.5s``, ``0``), or ``None``."""
    body = text.lstrip("+-")
    if body == "0":
        return timedelta(0)
    if not body:
        return None
    seconds = 0.0
    position = 0
    while position < len(body):
        match = _GO_DURATION.match(body, position)
        if match is None or match.group(1) in ("", "."):
            return None
        seconds += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        position = match.end()
    return timedelta(seconds=-seconds if text.startswith("-") else seconds)


def _duration(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    parsed = parse_go_duration(value)
    if parsed is None:
        return value
    message = duration_pb2.Duration()
    message.FromTimedelta(parsed)
    return message


def _restricted_metadata(inner: View | None) -> View:
    def view(value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out = inner(value) if inner is not None else value
        out = dict(out) if out is value else out
        metadata = value.get("metadata")
        if isinstance(metadata, dict):
            out["metadata"] = {k: metadata[k] for k in ("name", "generateName") if k in metadata}
        return out
    return view


def plan(schema: Any, resource_root: bool = False) -> View | None:
    """The conversion for values of ``schema``, or ``None`` when CEL sees the JSON as it is."""
    if not isinstance(schema, dict):
        return None
    view = _object_plan(schema)
    if resource_root or schema.get("x-kubernetes-embedded-resource") is True:
        return _restricted_metadata(view)
    return view


def _object_plan(schema: dict[str, Any]) -> View | None:
    kind = schema.get("type")
    if kind == "number":
        return _number
    if kind == "string" and schema.get("format") == "date-time":
        return _timestamp
    if kind == "string" and schema.get("format") == "duration":
        return _duration
    if kind == "array":
        item = plan(schema.get("items"))
        if item is None:
            return None
        return lambda value: [item(v) for v in value] if isinstance(value, list) else value
    declared = frozenset(schema.get("properties") or {})
    fields = {name: p for name, child in (schema.get("properties") or {}).items()
              if (p := plan(child)) is not None}
    additional = plan(schema.get("additionalProperties"))
    if not fields and additional is None:
        return None

    def view(value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out = {}
        for key, child in value.items():
            convert = fields.get(key) if key in declared else additional
            out[key] = convert(child) if convert is not None and child is not None else child
        return out
    return view
