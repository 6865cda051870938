"""Request info: what a request is about, read from its method, path and query alone.

This is the first pipeline stage's work and the only place that knows the URL layout:

    /clusters/<cluster path>/...     the logical cluster (absent: ``root``); stripped before the rest
    /api/<v>/...  /apis/<g>/<v>/...  resource requests:
        [namespaces/<ns>/]<resource>[/<name>[/<subresource>]]
    anything else                    a non-resource request (discovery, OpenAPI, health, version)

The verb follows kube-apiserver's RequestInfoFactory: GET on a collection is ``list`` (``watch`` with
``?watch=true``), GET on an object ``get``, POST ``create``, PUT ``update``, PATCH ``patch``, DELETE on a
collection ``deletecollection``. Everything later (authorization, routing, handlers) reads this value instead of
re-parsing the URL, so adding the ``/services/...`` virtual workspace paths later changes only this module.
"""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import unquote

DEFAULT_CLUSTER = "root"
NAMESPACE_SUBRESOURCES = frozenset({"status", "finalize"})
_VERB_BY_METHOD = {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete",
                   "GET": "get", "HEAD": "get"}


class RequestInfo(NamedTuple):
    """The parsed target of one request (a named tuple: built for every request, it must be cheap)."""

    cluster_path: str
    """The logical cluster path from ``/clusters/<path>``, or ``root``."""
    explicit_cluster: bool
    """Whether the URL named the cluster (``/clusters/...``)."""
    path: str
    """The path below the cluster prefix."""
    verb: str
    is_resource: bool
    api_prefix: str = ""
    group: str = ""
    version: str = ""
    namespace: str = ""
    resource: str = ""
    name: str = ""
    subresource: str = ""

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


def _split_cluster(path: str) -> tuple[str, bool, str]:
    if path.startswith("/clusters/"):
        rest = path[len("/clusters/"):]
        cluster, sep, tail = rest.partition("/")
        return cluster, True, "/" + tail if sep else "/"
    return DEFAULT_CLUSTER, False, path


def parse(method: str, raw_path: str, query: dict[str, str]) -> RequestInfo:
    """Parse one request's target. ``raw_path`` is percent-encoded, as on the wire."""
    cluster, explicit, path = _split_cluster(raw_path)
    stripped = path.strip("/")
    parts = stripped.split("/") if stripped else []
    if "%" in stripped:
        parts = [unquote(p) for p in parts]
    method_verb = _VERB_BY_METHOD.get(method, method.lower())

    if len(parts) < 3 or parts[0] not in ("api", "apis") or (parts[0] == "apis" and len(parts) < 4):
        return RequestInfo(cluster, explicit, path, method.lower(), False)

    api_prefix = parts[0]
    if api_prefix == "api":
        group, version, rest = "", parts[1], parts[2:]
    else:
        group, version, rest = parts[1], parts[2], parts[3:]

    watch_prefix = False
    if rest and rest[0] == "watch":  # the deprecated /watch/ path form
        watch_prefix = True
        rest = rest[1:]

    namespace = ""
    if rest and rest[0] == "namespaces" and len(rest) > 1:
        namespace = rest[1]
        if len(rest) > 2 and rest[2] not in NAMESPACE_SUBRESOURCES:
            rest = rest[2:]
    if not rest:
        return RequestInfo(cluster, explicit, path, method.lower(), False)

    resource = rest[0]
    name = rest[1] if len(rest) > 1 else ""
    subresource = rest[2] if len(rest) > 2 else ""
    if len(rest) > 3:
        # kube treats deeper paths as resource requests nobody serves; keep the tail visible in the name
        subresource = "/".join(rest[2:])

    verb = method_verb
    if watch_prefix:
        verb = "watch"
    elif method_verb == "get" and not name:
        verb = "watch" if query.get("watch", "").lower() in ("true", "1") else "list"
    elif method_verb == "delete" and not name:
        verb = "deletecollection"
    return RequestInfo(cluster, explicit, path, verb, True, api_prefix, group, version, namespace,
                       resource, name, subresource)
