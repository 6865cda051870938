"""Secret validation (kube's ``ValidateSecret`` and ``ValidateSecretUpdate``) and its decoding steps.

A request's Secret goes through three steps, in kube's order:

    check_decodable(obj)   decoding: every ``data`` value is base64, else 400 (kube fails the decode)
    normalize(obj)         decoding: ``stringData`` folded into ``data``; ``type`` defaults to ``Opaque``
    validate(obj)          422 material: keys, the 1 MiB total, what each well-known ``type`` requires

On update the ``type`` is immutable, and an ``immutable`` Secret keeps its data and its immutability.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

import orjson

from gitplane.api import errors, gosyntax
from gitplane.api.validation import bytesdata, names, objectmeta

OPAQUE = "Opaque"
SERVICE_ACCOUNT_TOKEN = "kubernetes.io/service-account-token"
DOCKERCFG = "kubernetes.io/dockercfg"
DOCKER_CONFIG_JSON = "kubernetes.io/dockerconfigjson"
BASIC_AUTH = "kubernetes.io/basic-auth"
SSH_AUTH = "kubernetes.io/ssh-auth"
TLS = "kubernetes.io/tls"
SERVICE_ACCOUNT_NAME_KEY = "kubernetes.io/service-account.name"
_IMMUTABLE_SET = "field is immutable when `immutable` is set"
_REDACTED = "<secret contents redacted>"
_JSON_WHITESPACE = " \t\r\n"
_VALUE_STARTS = '{["-0123456789tfn'


def check_decodable(obj: Mapping[str, Any]) -> None:
    """Raises:
    APIError: 400 BadRequest when a ``data`` value is not base64, worded as kube's decoder."""
    bytesdata.check_base64(obj.get("data"), kind="Secret")


def normalize(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The Secret as kube holds it after decoding: ``stringData`` values (which win) encoded into ``data``
    and dropped, and an empty ``type`` set to ``Opaque``. Returns a new top-level dict."""
    out = dict(obj)
    string_data = out.pop("stringData", None)
    if string_data:
        data = dict(out.get("data") or {})
        for key, value in string_data.items():
            data[key] = base64.b64encode((value or "").encode()).decode()
        out["data"] = data
    if not out.get("type"):
        out["type"] = OPAQUE
    return out


def validate(obj: Mapping[str, Any]) -> list[errors.FieldError]:
    meta = obj.get("metadata") or {}
    found = objectmeta.validate_object_meta(meta, namespaced=True, name_rule=names.name_is_dns_subdomain,
                                            core_finalizer_names=True)
    data: Mapping[str, Any] = obj.get("data") or {}
    total = 0
    for key, value in data.items():
        found.extend(errors.invalid_value(f"data[{key}]", key, problem)
                     for problem in names.is_config_map_key(key))
        total += len(bytesdata.decoded(value))
    if total > bytesdata.SIZE_LIMIT:
        found.append(errors.too_long("data", bytesdata.SIZE_LIMIT))
    found.extend(_type_rules(obj.get("type") or "", meta, data))
    return found


def validate_update(new: Mapping[str, Any], old: Mapping[str, Any]) -> list[errors.FieldError]:
    found = objectmeta.validate_object_meta_update(new.get("metadata") or {}, old.get("metadata") or {},
                                                   core_finalizer_names=True)
    if (new.get("type") or "") != (old.get("type") or ""):
        found.append(errors.invalid_value("type", new.get("type") or "", objectmeta.IMMUTABLE))
    if old.get("immutable") is True:
        if new.get("immutable") is not True:
            found.append(errors.forbidden("immutable", _IMMUTABLE_SET))
        if _decoded_map(new.get("data")) != _decoded_map(old.get("data")):
            found.append(errors.forbidden("data", _IMMUTABLE_SET))
    found.extend(validate(new))
    return found


def _type_rules(secret_type: str, meta: Mapping[str, Any],
                data: Mapping[str, Any]) -> list[errors.FieldError]:
    """The keys a well-known Secret type requires (other types, ``Opaque`` included, require nothing)."""
    if secret_type == SERVICE_ACCOUNT_TOKEN:
        if not (meta.get("annotations") or {}).get(SERVICE_ACCOUNT_NAME_KEY):
            return [errors.required(f"metadata.annotations[{SERVICE_ACCOUNT_NAME_KEY}]")]
        return []
    if secret_type in (DOCKERCFG, DOCKER_CONFIG_JSON):
        key = ".dockercfg" if secret_type == DOCKERCFG else ".dockerconfigjson"
        if key not in data:
            return [errors.required(f"data[{key}]")]
        problem = _go_json_object_error(bytesdata.decoded(data[key]))
        return [] if problem is None else [errors.invalid_value(f"data[{key}]", _REDACTED, problem)]
    if secret_type == BASIC_AUTH:
        if "username" not in data and "password" not in data:
            return [errors.required("data[username]"), errors.required("data[password]")]
        return []
    if secret_type == SSH_AUTH:
        if not bytesdata.decoded(data.get("ssh-privatekey")):
            return [errors.required("data[ssh-privatekey]")]
        return []
    if secret_type == TLS:
        return [errors.required(f"data[{key}]") for key in ("tls.crt", "tls.key") if key not in data]
    return []


def _go_json_object_error(raw: bytes) -> str | None:
    """What Go's ``json.Unmarshal`` into ``map[string]interface{}`` says about ``raw``, or ``None``.

    Type mismatches and the common syntax errors (empty or cut-off input, a bad first character, text after
    the value) read as Go's; other syntax errors name the offending character without Go's exact context.
    """
    text = raw.decode("utf-8", "replace")
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return _go_syntax_error(text)
    if value is None or isinstance(value, dict):
        return None
    kind = ("array" if isinstance(value, list) else "string" if isinstance(value, str)
            else "bool" if isinstance(value, bool) else "number")
    return f"json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"


def _go_syntax_error(text: str) -> str:
    stripped = text.lstrip(_JSON_WHITESPACE)
    if not stripped:
        return "unexpected end of JSON input"
    if stripped[0] not in _VALUE_STARTS:
        return f"invalid character {_quote_char(stripped[0])} looking for beginning of value"
    try:
        _, end = json.JSONDecoder().raw_decode(stripped)
    except json.JSONDecodeError as exc:
        if exc.pos >= len(stripped):
            return "unexpected end of JSON input"
        return f"invalid character {_quote_char(stripped[exc.pos])} looking for beginning of value"
    rest = stripped[end:].lstrip(_JSON_WHITESPACE)
    return f"invalid character {_quote_char(rest[0])} after top-level value"


def _quote_char(char: str) -> str:
    """Go's ``quoteChar``: the character in single quotes, escaped as Go would."""
    if char == "'":
        return "'\\''"
    if char == '"':
        return "'\"'"
    return "'" + gosyntax.go_quote(char)[1:-1] + "'"


def _decoded_map(values: Mapping[str, Any] | None) -> dict[str, bytes]:
    return {key: bytesdata.decoded(value) for key, value in (values or {}).items()}
