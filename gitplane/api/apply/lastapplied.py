"""Moving objects from client-side to server-side apply without conflicts, as kube does for ``kubectl``.

An object created with ``kubectl apply`` (client-side) carries the annotation
``kubectl.kubernetes.io/last-applied-configuration`` and is owned by the ``Update`` manager
``kubectl-client-side-apply``. When the manager ``kubectl`` server-side applies it:

- conflicts on fields the annotation still describes (their live value matches it) are not conflicts: the
  apply is forced, since both applies come from the same user's configuration;
- after the apply, the annotation is rewritten to the new configuration, so that a later client-side apply
  computes its three-way patch from what was applied last.
"""

from __future__ import annotations

from typing import Any

import orjson

from gitplane.api.apply import fieldpath, typed
from gitplane.api.apply.fieldpath import FieldSet
from gitplane.api.apply.schematype import TypeNode

ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration"
UPGRADING_MANAGER = "kubectl"
"""Only this field manager gets the upgrade (other managers opt out by using another name)."""
_TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024


def _annotations(obj: dict[str, Any]) -> dict[str, Any]:
    metadata = obj.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    return annotations if isinstance(annotations, dict) else {}


def allowed_conflicts(live: dict[str, Any], node: TypeNode, api_version: str) -> FieldSet | None:
    """The fields of the last client-side applied configuration whose live value still matches it, or
    None when the object has no usable annotation."""
    text = _annotations(live).get(ANNOTATION)
    if not isinstance(text, str) or not text:
        return None
    try:
        last_applied = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(last_applied, dict) or last_applied.get("apiVersion") != api_version:
        return None
    try:
        fields = typed.applied_fields(last_applied, node)
        differences = typed.compare(last_applied, live, node)
    except typed.TypedError:
        return None
    return fields.difference(differences.modified).difference(differences.added).difference(
        differences.removed)


def record_applied(obj: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    """``obj`` with its last-applied annotation (if it has one) set to ``config``, as kube encodes it:
    sorted compact JSON with a trailing newline, the annotation itself left out. The annotation is dropped
    if it would take the object's annotations past kube's size limit."""
    annotations = _annotations(obj)
    if not annotations.get(ANNOTATION):
        return obj
    applied = config
    config_annotations = _annotations(config)
    if ANNOTATION in config_annotations:
        kept = {k: v for k, v in config_annotations.items() if k != ANNOTATION}
        applied = {**config, "metadata": {**config["metadata"], "annotations": kept}}
    updated = {**annotations, ANNOTATION: fieldpath.canonical_json(applied) + "\n"}
    size = sum(len(k.encode()) + len(v.encode()) for k, v in updated.items() if isinstance(v, str))
    if size > _TOTAL_ANNOTATION_SIZE_LIMIT:
        del updated[ANNOTATION]
    return {**obj, "metadata": {**obj["metadata"], "annotations": updated}}
