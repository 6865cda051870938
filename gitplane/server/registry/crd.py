"""The strategy of CustomResourceDefinitions themselves, as kube's apiextensions registry has it.

On create the status starts empty but for ``storedVersions`` (the storage version), and the naming controller
(:mod:`gitplane.server.controllers.crd`) fills in the accepted names and the conditions; an update that moves
the storage version adds the new one to ``storedVersions`` (objects stored at the old one still exist, and
only the user may declare them migrated by removing it, through ``/status``). ``status`` changes only through
``/status``; ``metadata.generation`` counts spec changes.

Deletion is always graceful: DELETE marks the CRD, adds the ``customresourcecleanup.apiextensions.k8s.io``
finalizer and the ``Terminating`` condition; the controller deletes every object of the CRD, then removes the
finalizer, and the CRD goes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gitplane.api import cel, crd, decoding, errors
from gitplane.api.errors import FieldError
from gitplane.api.schema import Schema
from gitplane.api.validation import crd as crd_validation
from gitplane.server.registry.strategy import Obj, Strategy

CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io"
TERMINATING = "Terminating"


def storage_version(crd: Mapping[str, Any]) -> str | None:
    """The name of the CRD's ``storage: true`` version."""
    versions = (crd.get("spec") or {}).get("versions")
    if not isinstance(versions, list):
        return None
    return next((v.get("name") for v in versions if isinstance(v, dict) and v.get("storage") is True
                 and isinstance(v.get("name"), str)), None)


class CustomResourceDefinitionStrategy(Strategy):
    status_subresource = True
    tracks_generation = True

    def normalize(self, obj: Obj) -> None:
        crd_validation.apply_defaults(obj)

    def prepare_for_create(self, obj: Obj) -> None:
        super().prepare_for_create(obj)
        status: dict[str, Any] = {"acceptedNames": {"plural": "", "kind": ""}, "storedVersions": []}
        storage = storage_version(obj)
        if storage is not None:
            status["storedVersions"] = [storage]
        obj["status"] = status

    def prepare_for_update(self, new: Obj, old: Obj) -> None:
        super().prepare_for_update(new, old)
        storage = storage_version(new)
        status = dict(new.get("status") or {})
        stored = list(status.get("storedVersions") or [])
        if storage is not None and storage not in stored:
            status["storedVersions"] = [*stored, storage]
            new["status"] = status

    def delete_is_graceful(self, obj: Obj) -> bool:
        meta = obj.get("metadata") or {}
        return bool(meta.get("finalizers")) or not meta.get("deletionTimestamp")

    def prepare_for_graceful_delete(self, obj: Obj) -> None:
        meta = obj.setdefault("metadata", {})
        finalizers = list(meta.get("finalizers") or [])
        if CLEANUP_FINALIZER not in finalizers:
            meta["finalizers"] = [*finalizers, CLEANUP_FINALIZER]
        status = dict(obj.get("status") or {})
        conditions = [c for c in status.get("conditions") or [] if isinstance(c, dict) and c.get("type") != TERMINATING]
        conditions.append({"type": TERMINATING, "status": "True", "lastTransitionTime": meta["deletionTimestamp"],
                           "reason": "InstanceDeletionPending",
                           "message": "CustomResourceDefinition marked for deletion; CustomResource deletion will "
                                      "begin soon"})
        status["conditions"] = conditions
        obj["status"] = status

    def decode(self, obj: Obj, schema: Schema, mode: decoding.FieldValidation,
               duplicate_fields: Sequence[str]) -> list[str]:
        """As every built-in type; then each version's schema must decode as kube's JSONSchemaProps (a 400)."""
        warnings = super().decode(obj, schema, mode, duplicate_fields)
        for version in (obj.get("spec") or {}).get("versions") or []:
            schema_node = ((version or {}).get("schema") or {}).get("openAPIV3Schema")
            problem = crd.decode_error(schema_node) if schema_node is not None else None  # absent: a 422 later
            if problem is not None:
                raise errors.bad_request(problem)
        return warnings

    def validate(self, obj: Obj) -> list[FieldError]:
        return _with_schemas(crd_validation.validate(obj), obj)

    def validate_update(self, new: Obj, old: Obj, subresource: str = "") -> list[FieldError]:
        if subresource == "status":
            return crd_validation.validate_status_update(new, old)
        return _with_schemas(crd_validation.validate_update(new, old), new)


def _with_schemas(found: list[FieldError], crd_object: Obj) -> list[FieldError]:
    """The CRD's own errors, then its schemas' (structural, defaults), then its CEL rules' compile errors
    (compiled here, once per schema: the custom resources' strategy finds them in the cache)."""
    found = [*found, *crd.validate_crd_schemas(crd_object)]
    if found:
        return found
    for i, version in enumerate((crd_object.get("spec") or {}).get("versions") or []):
        schema = (version.get("schema") or {}).get("openAPIV3Schema")
        if isinstance(schema, dict):
            found.extend(cel.compile_schema(schema, path=f"spec.versions[{i}].schema.openAPIV3Schema").errors)
    return found
