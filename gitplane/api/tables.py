"""Server-side printing: objects to the ``meta.k8s.io/v1`` ``Table`` that ``kubectl get`` asks for.

For each row kube's printer for the type computes the cells (``pkg/printers/internalversion/printers.go``),
and the server always prints wide, so every row carries the cells of every column, the priority ones included:

    objects --row(type, obj, now)--> cells --table(...)--> {"kind": "Table", "columnDefinitions": [...],
                                                            "rows": [{"cells": [...], "object": ...}]}

``object`` is what ``includeObject`` asks for: nothing, a ``PartialObjectMetadata`` (the default; kubectl
needs it for ``-A`` and ``--show-labels``) or the whole object. Rows take the object in the form it is served
in; for ``events.k8s.io/v1`` that is the events.k8s.io shape (``regarding``, ``note``, ``deprecated*``),
printed as kube prints it after converting to the core form. kubectl may ask for ten thousand rows at once, so
a row is a handful of dict lookups and one timestamp parse per age column.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

from gitplane.api import builtin_types, duration, errors, gosyntax, quantity, resources, table_columns

INCLUDE_NONE = "None"
INCLUDE_METADATA = "Metadata"
INCLUDE_OBJECT = "Object"

_Row = Callable[[Mapping[str, Any], datetime], list[Any]]


class Printer(Protocol):
    """Columns and rows for a type whose table is not built in (custom resources: their printer columns)."""

    def columns(self) -> list[dict[str, Any]]: ...

    def row(self, obj: Mapping[str, Any], now: datetime) -> list[Any]: ...


def columns(resource_type: resources.ResourceType) -> list[dict[str, Any]]:
    """The type's column definitions (see :mod:`gitplane.api.table_columns`)."""
    return table_columns.columns(resource_type)


def row(resource_type: resources.ResourceType, obj: Mapping[str, Any], now: datetime) -> list[Any]:
    """The cells of one object's row, one per column of :func:`columns`."""
    return _PRINTERS.get((resource_type.group, resource_type.plural), _default_row)(obj, now)


def table(resource_type: resources.ResourceType, objects: Iterable[Mapping[str, Any]], *, now: datetime,
          include_object: str = INCLUDE_METADATA, list_meta: Mapping[str, Any] | None = None,
          with_columns: bool = True, printer: Printer | None = None) -> dict[str, Any]:
    """The ``Table`` for a list (or one object), as kube-apiserver encodes it.

    Args:
        resource_type: the type being listed (decides columns and cells).
        objects: the objects, in the form they are served in.
        now: the time ages are computed against.
        include_object: ``None``, ``Metadata`` (also for ``""``) or ``Object``, the ``includeObject`` option.
        list_meta: the list's metadata (``resourceVersion``, ``continue``, ``remainingItemCount``).
        with_columns: ``False`` for ``noHeaders`` (watch events after the first): no column definitions.
        printer: the type's own columns and rows, instead of the built-in ones.

    Raises:
        APIError: 400 BadRequest for an unknown ``includeObject`` value.
    """
    if include_object == "":
        include_object = INCLUDE_METADATA
    if include_object not in (INCLUDE_NONE, INCLUDE_METADATA, INCLUDE_OBJECT):
        raise errors.bad_request(f"unrecognized includeObject value: {gosyntax.go_quote(include_object)}")
    row_of = printer.row if printer is not None else _PRINTERS.get((resource_type.group, resource_type.plural),
                                                                   _default_row)
    rows = []
    for obj in objects:
        attached: Any = None
        if include_object == INCLUDE_METADATA:
            attached = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                        "metadata": obj.get("metadata") or {}}
        elif include_object == INCLUDE_OBJECT:
            attached = _with_type(resource_type, obj)
        rows.append({"cells": row_of(obj, now), "object": attached})
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": dict(list_meta or {}),
        "columnDefinitions": (printer.columns() if printer is not None else columns(resource_type))
        if with_columns else None,
        "rows": rows,
    }


def _with_type(resource_type: resources.ResourceType, obj: Mapping[str, Any]) -> Mapping[str, Any]:
    """The object with ``kind`` and ``apiVersion`` set, as kube encodes an embedded object."""
    if obj.get("kind") and obj.get("apiVersion"):
        return obj
    return {"kind": resource_type.kind, "apiVersion": resource_type.api_version, **obj}


def _meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    meta: Mapping[str, Any] = obj.get("metadata") or {}
    return meta


def _age(obj: Mapping[str, Any], now: datetime) -> str:
    return duration.age(_meta(obj).get("creationTimestamp"), now)


def _default_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    """kube's default table convertor: the name and the creation time in RFC 3339 (UTC, seconds)."""
    meta = _meta(obj)
    created = meta.get("creationTimestamp")
    parsed = duration.parse_timestamp(created) if created else None
    stamp = (parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if parsed is not None
             else "0001-01-01T00:00:00Z")
    return [meta.get("name", ""), stamp]


def _configmap_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    count = len(obj.get("data") or {}) + len(obj.get("binaryData") or {})
    return [_meta(obj).get("name", ""), count, _age(obj, now)]


def _secret_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    return [_meta(obj).get("name", ""), obj.get("type", ""), len(obj.get("data") or {}), _age(obj, now)]


def _namespace_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    return [_meta(obj).get("name", ""), (obj.get("status") or {}).get("phase", ""), _age(obj, now)]


def _serviceaccount_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    return [_meta(obj).get("name", ""), len(obj.get("secrets") or []), _age(obj, now)]


def _lease_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    holder = (obj.get("spec") or {}).get("holderIdentity") or ""
    return [_meta(obj).get("name", ""), holder, _age(obj, now)]


def _quantity_text(value: Any) -> str:
    """A quantity as kube prints it; values that are not quantities (never stored by kube) print raw."""
    if value is None:
        return "0"
    try:
        return str(quantity.Quantity.from_json(value))
    except quantity.QuantityError:
        return str(value)


def _resourcequota_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    """Each hard limit as ``resource: used/hard``, limits.* in the Limit column, the rest in Request."""
    status = obj.get("status") or {}
    hard = status.get("hard") or {}
    used = status.get("used") or {}
    requests: list[str] = []
    limits: list[str] = []
    for resource in sorted(hard):
        pieces = resource.split(".")
        target = limits if len(pieces) > 1 and pieces[0] == "limits" else requests
        target.append(f"{resource}: {_quantity_text(used.get(resource))}/{_quantity_text(hard[resource])}")
    return [_meta(obj).get("name", ""), ", ".join(requests), ", ".join(limits), _age(obj, now)]


def _event_row(obj: Mapping[str, Any], now: datetime, *, served_as_v1: bool) -> list[Any]:
    """kube's ``printEvent`` over the core form; the events.k8s.io names are mapped onto it."""
    if served_as_v1:
        involved = obj.get("regarding") or {}
        source = obj.get("deprecatedSource") or {}
        first, last = obj.get("deprecatedFirstTimestamp"), obj.get("deprecatedLastTimestamp")
        count, message = obj.get("deprecatedCount") or 0, obj.get("note") or ""
        controller = obj.get("reportingController") or ""
    else:
        involved = obj.get("involvedObject") or {}
        source = obj.get("source") or {}
        first, last = obj.get("firstTimestamp"), obj.get("lastTimestamp")
        count, message = obj.get("count") or 0, obj.get("message") or ""
        controller = obj.get("reportingComponent") or ""
    first_seen = duration.age(first, now) if first else duration.age(obj.get("eventTime"), now)
    last_seen = duration.age(last, now) if last else first_seen
    series = obj.get("series")
    if series is not None:
        last_seen = duration.age(series.get("lastObservedTime"), now)
        count = series.get("count") or 0
    elif count == 0:
        count = 1
    kind = (involved.get("kind") or "").lower()
    name = involved.get("name") or ""
    target = f"{kind}/{name}" if name else kind
    component = source.get("component") or controller
    instance = source.get("host") or obj.get("reportingInstance") or ""
    shown_source = f"{component}, {instance}" if instance else component
    return [last_seen, obj.get("type", ""), obj.get("reason", ""), target, involved.get("fieldPath", ""),
            shown_source, message.strip(), first_seen, count, _meta(obj).get("name", "")]


def _core_event_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    return _event_row(obj, now, served_as_v1=False)


def _events_v1_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    return _event_row(obj, now, served_as_v1=True)


_PRINTERS: dict[tuple[str, str], _Row] = {
    (builtin_types.CONFIGMAPS.group, builtin_types.CONFIGMAPS.plural): _configmap_row,
    (builtin_types.SECRETS.group, builtin_types.SECRETS.plural): _secret_row,
    (builtin_types.NAMESPACES.group, builtin_types.NAMESPACES.plural): _namespace_row,
    (builtin_types.SERVICEACCOUNTS.group, builtin_types.SERVICEACCOUNTS.plural): _serviceaccount_row,
    (builtin_types.LEASES.group, builtin_types.LEASES.plural): _lease_row,
    (builtin_types.RESOURCEQUOTAS.group, builtin_types.RESOURCEQUOTAS.plural): _resourcequota_row,
    (builtin_types.EVENTS.group, builtin_types.EVENTS.plural): _core_event_row,
    (builtin_types.EVENTS_V1.group, builtin_types.EVENTS_V1.plural): _events_v1_row,
}
