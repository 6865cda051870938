"""The column definitions of kube's server-side tables for the built-in types.

Each built-in type's columns are those of kube's printers (``pkg/printers/internalversion/printers.go``): the
same names, order, types, formats and priorities (priority 1 columns show only with ``kubectl get -o wide``).
Descriptions come, as in kube, from the API documentation of the field a column shows; they are read from the
same OpenAPI definitions the server serves, so the two never disagree. Types kube has no printer for (here
LimitRange) get the default table: ``Name`` and ``Created At``.

    columns(resource_type) -> [{"name", "type", "format", "description", "priority"}, ...]
"""

from __future__ import annotations

import functools
from typing import Any

from gitplane.api import builtin_schemas, builtin_types, resources

_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
_EVENT = "io.k8s.api.core.v1.Event"
_NAME = ("Name", "string", "name", (_META, "name"), 0)
_AGE = ("Age", "string", "", (_META, "creationTimestamp"), 0)

# (name, type, format, description: literal or (definition, property), priority)
_Spec = tuple[str, str, str, str | tuple[str, str], int]
_EVENT_COLUMNS: tuple[_Spec, ...] = (
    ("Last Seen", "string", "", (_EVENT, "lastTimestamp"), 0),
    ("Type", "string", "", (_EVENT, "type"), 0),
    ("Reason", "string", "", (_EVENT, "reason"), 0),
    ("Object", "string", "", (_EVENT, "involvedObject"), 0),
    ("Subobject", "string", "", ("io.k8s.api.core.v1.ObjectReference", "fieldPath"), 1),
    ("Source", "string", "", (_EVENT, "source"), 1),
    ("Message", "string", "", (_EVENT, "message"), 0),
    ("First Seen", "string", "", (_EVENT, "firstTimestamp"), 1),
    ("Count", "string", "", (_EVENT, "count"), 1),
    ("Name", "string", "name", (_META, "name"), 1),
)
_SPECS: dict[tuple[str, str], tuple[_Spec, ...]] = {
    (builtin_types.CONFIGMAPS.group, builtin_types.CONFIGMAPS.plural): (
        _NAME, ("Data", "string", "", ("io.k8s.api.core.v1.ConfigMap", "data"), 0), _AGE),
    (builtin_types.SECRETS.group, builtin_types.SECRETS.plural): (
        _NAME,
        ("Type", "string", "", ("io.k8s.api.core.v1.Secret", "type"), 0),
        ("Data", "string", "", ("io.k8s.api.core.v1.Secret", "data"), 0),
        _AGE),
    (builtin_types.NAMESPACES.group, builtin_types.NAMESPACES.plural): (
        _NAME, ("Status", "string", "", "The status of the namespace", 0), _AGE),
    (builtin_types.SERVICEACCOUNTS.group, builtin_types.SERVICEACCOUNTS.plural): (
        _NAME, ("Secrets", "string", "", ("io.k8s.api.core.v1.ServiceAccount", "secrets"), 0), _AGE),
    (builtin_types.LEASES.group, builtin_types.LEASES.plural): (
        _NAME, ("Holder", "string", "", ("io.k8s.api.coordination.v1.LeaseSpec", "holderIdentity"), 0), _AGE),
    (builtin_types.RESOURCEQUOTAS.group, builtin_types.RESOURCEQUOTAS.plural): (
        _NAME,
        ("Request", "string", "",
         "Request represents a minimum amount of cpu/memory that a container may consume.", 0),
        ("Limit", "string", "",
         "Limits control the maximum amount of cpu/memory that a container may use independent of contention "
         "on the node.", 0),
        _AGE),
    (builtin_types.EVENTS.group, builtin_types.EVENTS.plural): _EVENT_COLUMNS,
    (builtin_types.EVENTS_V1.group, builtin_types.EVENTS_V1.plural): _EVENT_COLUMNS,
}
_DEFAULT: tuple[_Spec, ...] = (_NAME, ("Created At", "date", "", (_META, "creationTimestamp"), 0))


def columns(resource_type: resources.ResourceType) -> list[dict[str, Any]]:
    """The column definitions for a type, as ``meta.k8s.io/v1`` ``TableColumnDefinition`` objects.

    The list is shared between calls: treat it as read-only.
    """
    return _columns(resource_type.group, resource_type.plural)


@functools.cache
def _columns(group: str, plural: str) -> list[dict[str, Any]]:
    specs = _SPECS.get((group, plural), _DEFAULT)
    return [{"name": name, "type": kind, "format": fmt, "description": _description(description),
             "priority": priority}
            for name, kind, fmt, description, priority in specs]


def _description(source: str | tuple[str, str]) -> str:
    if isinstance(source, str):
        return source
    definition, prop = source
    node = builtin_schemas.builtin_definitions()[definition]["properties"][prop]
    return str(node.get("description", ""))
