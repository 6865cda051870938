"""Lease validation (kube's ``ValidateLease``, ``coordination.k8s.io``).

A lease's duration is positive and its transition count not negative; times are MicroTimes that decoding has
already checked. The coordinated-leader-election fields (``strategy``, ``preferredHolder``) sit behind a
feature gate that is off by default, which drops them before validation, so they are not checked here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gitplane.api import errors
from gitplane.api.validation import names, objectmeta


def validate(obj: Mapping[str, Any]) -> list[errors.FieldError]:
    found = objectmeta.validate_object_meta(obj.get("metadata") or {}, namespaced=True,
                                            name_rule=names.name_is_dns_subdomain)
    return [*found, *_spec(obj.get("spec") or {})]


def validate_update(new: Mapping[str, Any], old: Mapping[str, Any]) -> list[errors.FieldError]:
    found = objectmeta.validate_object_meta_update(new.get("metadata") or {}, old.get("metadata") or {})
    return [*found, *_spec(new.get("spec") or {})]


def _spec(spec: Mapping[str, Any]) -> list[errors.FieldError]:
    found = []
    duration = spec.get("leaseDurationSeconds")
    if duration is not None and duration <= 0:
        found.append(errors.invalid_value("spec.leaseDurationSeconds", duration, "must be greater than 0"))
    transitions = spec.get("leaseTransitions")
    if transitions is not None and transitions < 0:
        found.append(errors.invalid_value("spec.leaseTransitions", transitions,
                                          "must be greater than or equal to 0"))
    return found
