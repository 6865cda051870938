"""ServiceAccount validation (kube's ``ValidateServiceAccount``): its metadata, with a DNS-1123 subdomain
name; nothing in its body is checked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gitplane.api import errors
from gitplane.api.validation import names, objectmeta


def validate(obj: Mapping[str, Any]) -> list[errors.FieldError]:
    return objectmeta.validate_object_meta(obj.get("metadata") or {}, namespaced=True,
                                           name_rule=names.name_is_dns_subdomain, core_finalizer_names=True)


def validate_update(new: Mapping[str, Any], old: Mapping[str, Any]) -> list[errors.FieldError]:
    found = objectmeta.validate_object_meta_update(new.get("metadata") or {}, old.get("metadata") or {},
                                                   core_finalizer_names=True)
    return [*found, *validate(new)]
