"""ConfigMap validation (kube's ``ValidateConfigMap`` and ``ValidateConfigMapUpdate``).

Keys of ``data`` and ``binaryData`` are config-map keys, no key may appear in both, and the values together
stay within 1 MiB; an ``immutable`` ConfigMap keeps its data and its immutability. ``binaryData`` values
arrive in base64: :func:`check_decodable` is the decoding step that rejects bad ones with a 400, and must run
first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gitplane.api import errors
from gitplane.api.validation import bytesdata, names, objectmeta

_IMMUTABLE_SET = "field is immutable when `immutable` is set"


def check_decodable(obj: Mapping[str, Any]) -> None:
    """Raises:
    APIError: 400 BadRequest when a ``binaryData`` value is not base64, worded as kube's decoder."""
    bytesdata.check_base64(obj.get("binaryData"), kind="ConfigMap")


def validate(obj: Mapping[str, Any]) -> list[errors.FieldError]:
    found = objectmeta.validate_object_meta(obj.get("metadata") or {}, namespaced=True,
                                            name_rule=names.name_is_dns_subdomain, core_finalizer_names=True)
    data: Mapping[str, str] = obj.get("data") or {}
    binary: Mapping[str, Any] = obj.get("binaryData") or {}
    total = 0
    for key, value in data.items():
        found.extend(errors.invalid_value(f"data[{key}]", key, problem)
                     for problem in names.is_config_map_key(key))
        if key in binary:
            found.append(errors.invalid_value(f"data[{key}]", key, "duplicate of key present in binaryData"))
        total += names.byte_length(value or "")
    for key, value in binary.items():
        found.extend(errors.invalid_value(f"binaryData[{key}]", key, problem)
                     for problem in names.is_config_map_key(key))
        total += len(bytesdata.decoded(value))
    if total > bytesdata.SIZE_LIMIT:
        found.append(errors.too_long("[]", bytesdata.SIZE_LIMIT))
    return found


def validate_update(new: Mapping[str, Any], old: Mapping[str, Any]) -> list[errors.FieldError]:
    found = objectmeta.validate_object_meta_update(new.get("metadata") or {}, old.get("metadata") or {},
                                                   core_finalizer_names=True)
    if old.get("immutable") is True:
        if new.get("immutable") is not True:
            found.append(errors.forbidden("immutable", _IMMUTABLE_SET))
        if (new.get("data") or {}) != (old.get("data") or {}):
            found.append(errors.forbidden("data", _IMMUTABLE_SET))
        if _decoded_map(new.get("binaryData")) != _decoded_map(old.get("binaryData")):
            found.append(errors.forbidden("binaryData", _IMMUTABLE_SET))
    found.extend(validate(new))
    return found


def _decoded_map(values: Mapping[str, Any] | None) -> dict[str, bytes]:
    return {key: bytesdata.decoded(value) for key, value in (values or {}).items()}
