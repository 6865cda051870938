"""Namespace validation (kube's ``ValidateNamespace`` and its update, status and finalize variants).

A namespace is cluster-scoped and its name is a DNS-1123 label. ``spec.finalizers`` hold qualified names, and
an unprefixed one must be kube's own (``kubernetes``). Status updates keep the phase consistent with deletion:
``Active`` until a ``deletionTimestamp`` is set, ``Terminating`` after.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gitplane.api import errors
from gitplane.api.validation import names, objectmeta

ACTIVE = "Active"
TERMINATING = "Terminating"


def validate(obj: Mapping[str, Any]) -> list[errors.FieldError]:
    found = objectmeta.validate_object_meta(obj.get("metadata") or {}, namespaced=False,
                                            name_rule=names.name_is_dns_label, core_finalizer_names=True)
    for finalizer in (obj.get("spec") or {}).get("finalizers") or []:
        found.extend(_spec_finalizer(finalizer, "spec.finalizers"))
    return found


def validate_update(new: Mapping[str, Any], old: Mapping[str, Any]) -> list[errors.FieldError]:
    return [*validate(new), *_meta_update(new, old)]


def validate_status_update(new: Mapping[str, Any], old: Mapping[str, Any]) -> list[errors.FieldError]:
    """An update through ``/status``: the phase must match whether the namespace is being deleted."""
    found = _meta_update(new, old)
    phase = (new.get("status") or {}).get("phase") or ""
    if not (new.get("metadata") or {}).get("deletionTimestamp"):
        if phase != ACTIVE:
            found.append(errors.invalid_value("status.Phase", phase,
                                              "may only be 'Active' if `deletionTimestamp` is empty"))
    elif phase != TERMINATING:
        found.append(errors.invalid_value("status.Phase", phase,
                                          "may only be 'Terminating' if `deletionTimestamp` is not empty"))
    return found


def validate_finalize_update(new: Mapping[str, Any], old: Mapping[str, Any]) -> list[errors.FieldError]:
    """An update through ``/finalize`` (it may only change ``spec.finalizers``)."""
    found = _meta_update(new, old)
    for index, finalizer in enumerate((new.get("spec") or {}).get("finalizers") or []):
        found.extend(_spec_finalizer(finalizer, f"spec.finalizers[{index}]"))
    return found


def _meta_update(new: Mapping[str, Any], old: Mapping[str, Any]) -> list[errors.FieldError]:
    return objectmeta.validate_object_meta_update(new.get("metadata") or {}, old.get("metadata") or {},
                                                  core_finalizer_names=True)


def _spec_finalizer(finalizer: str, path: str) -> list[errors.FieldError]:
    found = [errors.invalid_value(path, finalizer, problem) for problem in names.is_qualified_name(finalizer)]
    return [*found, *objectmeta.core_finalizer_name(finalizer, path)]
