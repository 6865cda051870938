"""System-owned metadata on writes: what the server sets on create and keeps on update.

On create the server assigns ``uid``, ``creationTimestamp`` and (for types that track it) ``generation``,
generates a name from ``generateName``, and refuses a client-set ``resourceVersion``. On update it keeps
``uid`` (when the client omits it), ``creationTimestamp``, ``deletionTimestamp`` and ``generation`` as stored,
bumping ``generation`` when anything but metadata and status changed. Every write stamps the object's logical
cluster into the ``kcp.io/cluster`` annotation.
"""

from __future__ import annotations

from typing import Any

from gitplane.api import errors
from gitplane.server.rest.context import Obj, ResourceRequest
from gitplane.server.rest.randomness import POOL

CLUSTER_ANNOTATION = "kcp.io/cluster"
GENERATED_SUFFIX_LENGTH = 5
MAX_GENERATED_PREFIX = 63 - GENERATED_SUFFIX_LENGTH


def generate_name(prefix: str) -> str:
    if len(prefix) > MAX_GENERATED_PREFIX:
        prefix = prefix[:MAX_GENERATED_PREFIX]
    return prefix + POOL.name_suffix(GENERATED_SUFFIX_LENGTH)


def metadata(obj: Obj) -> dict[str, Any]:
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        meta = obj["metadata"] = {}
    return meta


def ensure_namespace(ctx: ResourceRequest, obj: Obj) -> None:
    """The object's namespace must be the request's (filled in when absent; cleared for cluster scope)."""
    meta = metadata(obj)
    namespace = meta.get("namespace") or ""
    if not ctx.type.namespaced:
        meta.pop("namespace", None)
        return
    if not namespace:
        meta["namespace"] = ctx.namespace
    elif namespace != ctx.namespace:
        raise errors.bad_request("the namespace of the provided object does not match the namespace sent on the "
                                 "request")


def ensure_name(ctx: ResourceRequest, obj: Obj) -> None:
    """For writes to a named object: the body's name must be the URL's."""
    name = metadata(obj).get("name") or ""
    if name != ctx.name:
        raise errors.bad_request(f"the name of the object ({name}) does not match the name on the URL ({ctx.name})")


def prepare_create(ctx: ResourceRequest, obj: Obj, *, timestamp: str) -> None:
    meta = metadata(obj)
    if meta.get("resourceVersion"):
        raise errors.bad_request("resourceVersion should not be set on objects to be created")
    if not meta.get("name") and meta.get("generateName"):
        meta["name"] = generate_name(str(meta["generateName"]))
    meta["uid"] = POOL.uid()
    meta["creationTimestamp"] = timestamp
    for field in ("deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"):
        meta.pop(field, None)
    if ctx.strategy.tracks_generation:
        meta["generation"] = 1
    else:
        meta.pop("generation", None)


def stamp_cluster(ctx: ResourceRequest, obj: Obj) -> None:
    """Every object carries its logical cluster's name in the ``kcp.io/cluster`` annotation, as in kcp; the
    server sets it on every write, after the field manager (no manager owns it, so an apply that leaves it out
    never removes it), whatever the client sent."""
    meta = metadata(obj)
    annotations = meta.get("annotations")
    if not isinstance(annotations, dict):
        meta["annotations"] = {CLUSTER_ANNOTATION: ctx.cluster}
    elif annotations.get(CLUSTER_ANNOTATION) != ctx.cluster:
        annotations[CLUSTER_ANNOTATION] = ctx.cluster


def regenerate_name(obj: Obj) -> bool:
    """Pick a new generated name after a collision; False when the name was not generated."""
    meta = metadata(obj)
    prefix = meta.get("generateName")
    if not prefix:
        return False
    meta["name"] = generate_name(str(prefix))
    return True


def _spec_of(obj: Obj) -> Obj:
    return {k: v for k, v in obj.items() if k not in ("metadata", "status")}


def prepare_update(ctx: ResourceRequest, new: Obj, old: Obj) -> None:
    meta, old_meta = metadata(new), old.get("metadata") or {}
    if not meta.get("uid"):
        meta["uid"] = old_meta.get("uid")
    for field in ("creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"):
        if field in old_meta:
            meta[field] = old_meta[field]
        else:
            meta.pop(field, None)
    meta.pop("selfLink", None)
    if ctx.strategy.tracks_generation:
        generation = int(old_meta.get("generation") or 1)
        meta["generation"] = generation + 1 if _spec_of(new) != _spec_of(old) else generation
    else:
        meta.pop("generation", None)


def _without_times(entries: Any) -> Any:
    if not isinstance(entries, list):
        return entries
    return [{k: v for k, v in e.items() if k != "time"} if isinstance(e, dict) else e for e in entries]


def unchanged(new: Obj, old: Obj) -> bool:
    """Whether a write changes nothing but managed-field timestamps (kube then skips the write)."""
    new_meta, old_meta = new.get("metadata") or {}, old.get("metadata") or {}
    if _without_times(new_meta.get("managedFields")) != _without_times(old_meta.get("managedFields")):
        return False
    strip = ("managedFields", "resourceVersion")
    if {k: v for k, v in new_meta.items() if k not in strip} != {k: v for k, v in old_meta.items() if k not in strip}:
        return False
    return {k: v for k, v in new.items() if k != "metadata"} == {k: v for k, v in old.items() if k != "metadata"}
