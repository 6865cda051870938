"""Event validation, for both views of the one stored Event (kube's ``ValidateEventCreate``/``Update``).

kube validates events in their internal (core) form and lets the API version of the request decide how
strictly:

    core v1 request          legacy rules only: the involved object's namespace agrees with the event's,
                             and "new" events (with an ``eventTime``) name their reporter, action and reason
    events.k8s.io/v1 request the legacy rules, the metadata rules, ``eventTime`` required, ``type`` Normal or
                             Warning, the deprecated fields unset, a sane ``series``; on update nearly
                             everything is immutable

The ``*_v1`` functions take the object in its events.k8s.io shape and read it under the core names; the field
paths in their errors are kube's, which are the core ones (``involvedObject.namespace``, ``message``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gitplane.api import errors, gosyntax
from gitplane.api.validation import goerrors, names, objectmeta

_LENGTH_LIMITS = {"reportingInstance": 128, "action": 128, "reason": 128}
_NOTE_LIMIT = 1024
_V1_TO_CORE = {"regarding": "involvedObject", "note": "message", "deprecatedSource": "source",
               "deprecatedFirstTimestamp": "firstTimestamp", "deprecatedLastTimestamp": "lastTimestamp",
               "deprecatedCount": "count", "reportingController": "reportingComponent"}
_REFERENCE_FIELDS = ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")
_IMMUTABLE_STRINGS = ("reason", "message", "type", "action", "reportingController", "reportingInstance")

Event = Mapping[str, Any]


def validate(obj: Event) -> list[errors.FieldError]:
    """A create through the core ``v1`` API."""
    return _legacy(obj)


def validate_update(new: Event, old: Event) -> list[errors.FieldError]:
    """An update through the core ``v1`` API: the new event passes the legacy rules."""
    return _legacy(new)


def validate_v1(obj: Event) -> list[errors.FieldError]:
    """A create through ``events.k8s.io/v1`` (``obj`` in that shape)."""
    event = _core_view(obj)
    found = _legacy(event)
    found.extend(objectmeta.validate_object_meta(event.get("metadata") or {}, namespaced=True,
                                                 name_rule=names.name_is_dns_subdomain,
                                                 core_finalizer_names=True))
    found.extend(_series(event))
    if not event.get("eventTime"):
        found.append(errors.required("eventTime"))
    event_type = event.get("type") or ""
    if event_type not in ("Normal", "Warning"):
        found.append(errors.invalid_value("type", "", f"has invalid value: {event_type}"))
    for field in ("firstTimestamp", "lastTimestamp", "count"):
        if event.get(field):
            found.append(errors.invalid_value(field, "", "needs to be unset"))
    source = event.get("source") or {}
    if source.get("component") or source.get("host"):
        found.append(errors.invalid_value("source", "", "needs to be unset"))
    return found


def validate_v1_update(new: Event, old: Event) -> list[errors.FieldError]:
    """An update through ``events.k8s.io/v1`` (both objects in that shape)."""
    event, previous = _core_view(new), _core_view(old)
    found = _legacy(event)
    found.extend(objectmeta.validate_object_meta_update(event.get("metadata") or {},
                                                        previous.get("metadata") or {},
                                                        core_finalizer_names=True))
    if event.get("series") != previous.get("series"):
        found.extend(_series(event))
    if _reference(event.get("involvedObject")) != _reference(previous.get("involvedObject")):
        found.append(goerrors.invalid_rendered("involvedObject", _go_reference(event.get("involvedObject")),
                                               objectmeta.IMMUTABLE))
    source, previous_source = event.get("source") or {}, previous.get("source") or {}
    if _source(source) != _source(previous_source):
        component, host = _source(source)
        rendered = (f"core.EventSource{{Component:{gosyntax.go_quote(component)}, "
                    f"Host:{gosyntax.go_quote(host)}}}")
        found.append(goerrors.invalid_rendered("source", rendered, objectmeta.IMMUTABLE))
    for field in ("firstTimestamp", "lastTimestamp", "eventTime"):
        if not objectmeta.same_time(event.get(field), previous.get(field)):
            found.append(goerrors.invalid_rendered(field, gosyntax.go_time(event.get(field) or ""),
                                                   objectmeta.IMMUTABLE))
    if (event.get("count") or 0) != (previous.get("count") or 0):
        found.append(errors.invalid_value("count", event.get("count") or 0, objectmeta.IMMUTABLE))
    for field in _IMMUTABLE_STRINGS:
        core_field = "reportingComponent" if field == "reportingController" else field
        if (event.get(core_field) or "") != (previous.get(core_field) or ""):
            found.append(errors.invalid_value(field, event.get(core_field) or "", objectmeta.IMMUTABLE))
    related = event.get("related")
    if (None if related is None else _reference(related)) != (
            None if previous.get("related") is None else _reference(previous.get("related"))):
        rendered = "null" if related is None else _go_reference(related)
        found.append(goerrors.invalid_rendered("related", rendered, objectmeta.IMMUTABLE))
    return found


def _legacy(event: Event) -> list[errors.FieldError]:
    """kube's ``legacyValidateEvent``."""
    found: list[errors.FieldError] = []
    namespace = (event.get("metadata") or {}).get("namespace") or ""
    involved_namespace = (event.get("involvedObject") or {}).get("namespace") or ""
    mismatch = errors.invalid_value("involvedObject.namespace", involved_namespace,
                                    "does not match event.namespace")
    if not event.get("eventTime"):
        if (not involved_namespace and namespace not in ("", "default")) or (
                involved_namespace and namespace != involved_namespace):
            found.append(mismatch)
    else:
        if not involved_namespace and namespace not in ("default", "kube-system"):
            found.append(mismatch)
        controller = event.get("reportingComponent") or ""
        if not controller:
            found.append(errors.required("reportingController"))
        found.extend(errors.invalid_value("reportingController", controller, problem)
                     for problem in names.is_qualified_name(controller))
        for field, limit in _LENGTH_LIMITS.items():
            value = event.get(field) or ""
            if not value:
                found.append(errors.required(field))
            if names.byte_length(value) > limit:
                found.append(errors.invalid_value(field, "", f"can have at most {limit} characters"))
        if names.byte_length(event.get("message") or "") > _NOTE_LIMIT:
            found.append(errors.invalid_value("message", "", f"can have at most {_NOTE_LIMIT} characters"))
    found.extend(errors.invalid_value("namespace", namespace, problem)
                 for problem in names.is_dns1123_subdomain(namespace))
    return found


def _series(event: Event) -> list[errors.FieldError]:
    series = event.get("series")
    if series is None:
        return []
    found = []
    if (series.get("count") or 0) < 2:
        found.append(errors.invalid_value("series.count", "", "should be at least 2"))
    if not series.get("lastObservedTime"):
        found.append(errors.required("series.lastObservedTime"))
    return found


def _core_view(obj: Event) -> dict[str, Any]:
    """The events.k8s.io object under the core field names (top level only; values are shared)."""
    return {_V1_TO_CORE.get(key, key): value for key, value in obj.items()}


def _reference(reference: Mapping[str, Any] | None) -> tuple[str, ...]:
    reference = reference or {}
    return tuple(reference.get(field) or "" for field in _REFERENCE_FIELDS)


def _source(source: Mapping[str, Any]) -> tuple[str, str]:
    return source.get("component") or "", source.get("host") or ""


def _go_reference(reference: Mapping[str, Any] | None) -> str:
    """``%#v`` of a ``core.ObjectReference``."""
    kind, namespace, name, uid, api_version, resource_version, field_path = (
        gosyntax.go_quote(value) for value in _reference(reference))
    return (f"core.ObjectReference{{Kind:{kind}, Namespace:{namespace}, Name:{name}, UID:{uid}, "
            f"APIVersion:{api_version}, ResourceVersion:{resource_version}, FieldPath:{field_path}}}")

