"""Which validation rules apply to which built-in resource type, for the server's write path.

    check_decodable(type, obj)        decoding errors kube reports as a 400 (bad base64 in Secret/ConfigMap)
    validate_create(type, obj)        the type's own rules on create  -> field errors for a 422
    validate_update(type, new, old)   the type's own rules on update  -> field errors for a 422

Types without rules of their own here (custom resources) validate only through the schema and the generic
metadata checks (:func:`gitplane.api.validation.objectmeta.validate_common`). Secrets and LimitRanges must be
normalized and defaulted first, as kube's decoding does (``secret.normalize``, ``limitrange.default``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from gitplane.api import builtin_types, errors, resources
from gitplane.api.validation import (
    configmap,
    event,
    lease,
    limitrange,
    namespace,
    resourcequota,
    secret,
    serviceaccount,
)

Object = Mapping[str, Any]
_Create = Callable[[Object], list[errors.FieldError]]
_Update = Callable[[Object, Object], list[errors.FieldError]]


def _key(resource_type: resources.ResourceType) -> tuple[str, str]:
    return resource_type.group, resource_type.plural


_RULES: dict[tuple[str, str], tuple[_Create, _Update]] = {
    _key(builtin_types.NAMESPACES): (namespace.validate, namespace.validate_update),
    _key(builtin_types.CONFIGMAPS): (configmap.validate, configmap.validate_update),
    _key(builtin_types.SECRETS): (secret.validate, secret.validate_update),
    _key(builtin_types.SERVICEACCOUNTS): (serviceaccount.validate, serviceaccount.validate_update),
    _key(builtin_types.EVENTS): (event.validate, event.validate_update),
    _key(builtin_types.EVENTS_V1): (event.validate_v1, event.validate_v1_update),
    _key(builtin_types.RESOURCEQUOTAS): (resourcequota.validate, resourcequota.validate_update),
    _key(builtin_types.LIMITRANGES): (limitrange.validate, limitrange.validate_update),
    _key(builtin_types.LEASES): (lease.validate, lease.validate_update),
}
_CHECKS_METADATA = frozenset(_key(t) for t in (
    builtin_types.NAMESPACES, builtin_types.CONFIGMAPS, builtin_types.SECRETS, builtin_types.SERVICEACCOUNTS,
    builtin_types.RESOURCEQUOTAS, builtin_types.LIMITRANGES, builtin_types.LEASES,
))
"""Types whose create rules always validate ``metadata`` with a name rule stricter than the path-segment rule
of the generic check, so that the generic check can find nothing they did not."""
_DECODING: dict[tuple[str, str], Callable[[Object], None]] = {
    _key(builtin_types.CONFIGMAPS): configmap.check_decodable,
    _key(builtin_types.SECRETS): secret.check_decodable,
}


def has_rules(resource_type: resources.ResourceType) -> bool:
    """True for the built-in types whose own validation lives here."""
    return _key(resource_type) in _RULES


def check_decodable(resource_type: resources.ResourceType, obj: Object) -> None:
    """Raises:
    APIError: 400 BadRequest when the body would not decode into the type in kube."""
    check = _DECODING.get(_key(resource_type))
    if check is not None:
        check(obj)


def validate_create(resource_type: resources.ResourceType, obj: Object) -> list[errors.FieldError]:
    rules = _RULES.get(_key(resource_type))
    return [] if rules is None else rules[0](obj)


def create_checks_object_meta(resource_type: resources.ResourceType) -> bool:
    """Whether :func:`validate_create` already covers the generic metadata check (``validate_common``)."""
    return _key(resource_type) in _CHECKS_METADATA


def validate_update(resource_type: resources.ResourceType, new: Object,
                    old: Object) -> list[errors.FieldError]:
    rules = _RULES.get(_key(resource_type))
    return [] if rules is None else rules[1](new, old)
