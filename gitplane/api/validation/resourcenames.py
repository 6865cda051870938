"""Compute-resource names and quantities as ResourceQuota and LimitRange validation checks them.

kube's helpers (``pkg/apis/core/helper``) sort resource names into families: standard names (``cpu``,
``requests.memory``, ``pods``...), the subset the quota system tracks, container resources, integer-valued
resources, and extended resources (``example.com/gpu``). The checks here answer with kube's messages; a
resource name prints unquoted in them (it is a Go type with a ``String()`` method).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gitplane.api import errors, quantity
from gitplane.api.validation import goerrors, names

HUGE_PAGES_PREFIX = "hugepages-"
REQUESTS_HUGE_PAGES_PREFIX = "requests.hugepages-"
REQUESTS_PREFIX = "requests."
DEFAULT_NAMESPACE_PREFIX = "kubernetes.io/"

_COMPUTE = ("cpu", "memory", "ephemeral-storage")
_OBJECT_COUNTS = ("pods", "resourcequotas", "services", "replicationcontrollers", "secrets", "configmaps",
                  "persistentvolumeclaims", "services.nodeports", "services.loadbalancers")
_REQUESTS_AND_LIMITS = ("requests.cpu", "requests.memory", "requests.ephemeral-storage", "limits.cpu",
                        "limits.memory", "limits.ephemeral-storage")
STANDARD_RESOURCES = frozenset({*_COMPUTE, *_REQUESTS_AND_LIMITS, *_OBJECT_COUNTS, "storage",
                                "requests.storage"})
STANDARD_QUOTA_RESOURCES = frozenset({*_COMPUTE, *_REQUESTS_AND_LIMITS, *_OBJECT_COUNTS, "requests.storage"})
STANDARD_CONTAINER_RESOURCES = frozenset(_COMPUTE)
INTEGER_RESOURCES = frozenset(_OBJECT_COUNTS)
IS_NOT_INTEGER = "must be an integer"
IS_NEGATIVE = "must be greater than or equal to 0"


def is_huge_pages(name: str) -> bool:
    return name.startswith(HUGE_PAGES_PREFIX)


def is_quota_huge_pages(name: str) -> bool:
    return name.startswith(HUGE_PAGES_PREFIX) or name.startswith(REQUESTS_HUGE_PAGES_PREFIX)


def is_standard_resource(name: str) -> bool:
    return name in STANDARD_RESOURCES or is_quota_huge_pages(name)


def is_standard_quota_resource(name: str) -> bool:
    return name in STANDARD_QUOTA_RESOURCES or is_quota_huge_pages(name)


def is_standard_container_resource(name: str) -> bool:
    return name in STANDARD_CONTAINER_RESOURCES or is_huge_pages(name)


def is_native(name: str) -> bool:
    """Unprefixed names and names under ``kubernetes.io/`` belong to Kubernetes itself."""
    return "/" not in name or DEFAULT_NAMESPACE_PREFIX in name


def is_extended(name: str) -> bool:
    """A resource outside Kubernetes' own names (``example.com/gpu``), as quota counts it."""
    if is_native(name) or name.startswith(REQUESTS_PREFIX):
        return False
    return not names.is_qualified_name(REQUESTS_PREFIX + name)


def is_integer_resource(name: str) -> bool:
    return name in INTEGER_RESOURCES or is_extended(name)


def is_overcommit_allowed(name: str) -> bool:
    return is_native(name) and not is_huge_pages(name)


def validate_resource_name(name: str, path: str) -> list[errors.FieldError]:
    """A qualified name, and when unprefixed a standard one."""
    found = [goerrors.invalid_rendered(path, name, problem) for problem in names.is_qualified_name(name)]
    if found:
        return found
    if "/" not in name and not is_standard_resource(name):
        found.append(goerrors.invalid_rendered(path, name,
                                               "must be a standard resource type or fully qualified"))
    return found


def validate_container_resource_name(name: str, path: str) -> list[errors.FieldError]:
    """A resource a container may request: cpu, memory, ephemeral-storage, huge pages or extended."""
    found = validate_resource_name(name, path)
    if "/" not in name:
        if not is_standard_container_resource(name):
            found.append(goerrors.invalid_rendered(path, name, "must be a standard resource for containers"))
    elif not is_native(name) and not is_extended(name):
        found.append(goerrors.invalid_rendered(path, name, "doesn't follow extended resource name standard"))
    return found


def validate_quota_resource_name(name: str, path: str) -> list[errors.FieldError]:
    """A resource name a ResourceQuota may limit."""
    found = validate_resource_name(name, path)
    if "/" not in name and not is_standard_quota_resource(name):
        found.append(goerrors.invalid_rendered(path, name, "must be a standard resource for quota"))
    return found


def parse(value: Any, path: str) -> tuple[quantity.Quantity | None, list[errors.FieldError]]:
    """The quantity at ``path``. Typed decoding rejects unparseable ones with a 400 before validation runs;
    should one reach validation anyway, it is reported here rather than ignored."""
    if value is None:
        return quantity.Quantity(0, 0), []
    try:
        return quantity.Quantity.from_json(value), []
    except quantity.QuantityError as exc:
        return None, [errors.invalid_value(path, value, str(exc))]


def validate_quantity_value(resource: str, value: quantity.Quantity, path: str) -> list[errors.FieldError]:
    """kube's ``ValidateResourceQuantityValue``: not negative, and whole for integer resources."""
    found = []
    if value.sign() < 0:
        found.append(errors.invalid_value(path, str(value), IS_NEGATIVE))
    if is_integer_resource(resource) and value.milli_value() % 1000 != 0:
        found.append(goerrors.invalid_rendered(path, value.go_syntax(stringified=False), IS_NOT_INTEGER))
    return found


def validate_resource_list(resources: Mapping[str, Any], path: str) -> list[errors.FieldError]:
    """Names and quantities of a quota's resource list (``spec.hard``, ``status.used``...)."""
    found: list[errors.FieldError] = []
    for name, raw in resources.items():
        item = f"{path}[{name}]"
        found.extend(validate_quota_resource_name(name, item))
        value, problems = parse(raw, item)
        found.extend(problems)
        if value is not None:
            found.extend(validate_quantity_value(name, value, item))
    return found
