"""Request bodies in Kubernetes' protobuf encoding (``application/vnd.kubernetes.protobuf``), read as JSON.

client-go's typed clients send built-in objects this way (kubectl ``create configmap``, controllers writing
Events and Leases) and do not retry with JSON on a 415, so the server reads them. The body is kube's
``runtime/serializer/protobuf`` envelope:

    "k8s\\x00" + runtime.Unknown{typeMeta {apiVersion, kind}, raw, contentEncoding, contentType}
      --typeMeta (defaults from the URL fill gaps, as kube's gvkWithDefaults)--> message type in the catalog
      --raw parsed as that type--> to_json --> {"apiVersion", "kind", ...the object's fields}

The result is the object a JSON client would have sent, so the rest of the request (type checks, typed
decoding, admission) is the same for both encodings. Failures are 400 ``BadRequest`` errors saying what was
wrong; kube's protobuf decoder, like this one, ignores ``contentEncoding``/``contentType`` and unknown fields.
"""

from __future__ import annotations

import functools
from typing import Any, Final

from google.protobuf import message

from gitplane.api import errors
from gitplane.api.protobuf import catalog, to_json

MEDIA_TYPE: Final = "application/vnd.kubernetes.protobuf"
MAGIC: Final = b"k8s\x00"
_UNKNOWN = "k8s.io.apimachinery.pkg.runtime.Unknown"


@functools.cache
def _converter() -> to_json.JsonConverter:
    return to_json.JsonConverter(catalog.load())


def decode(body: bytes, *, default_api_version: str = "", default_kind: str = "") -> dict[str, Any]:
    """The JSON object of a protobuf request body, with ``apiVersion`` and ``kind`` set.

    Args:
        body: the request body, magic prefix included.
        default_api_version: the URL's group version, used when the envelope names none (or only a group).
        default_kind: the URL's kind, used when the envelope names none.

    Raises:
        APIError: 400 when the body is not a Kubernetes protobuf message, names no kind or a kind the
            descriptors do not know, or does not parse as that kind.
    """
    if not body:
        raise errors.bad_request("empty data: the protobuf request body is empty")
    if not body.startswith(MAGIC):
        raise errors.bad_request("provided data does not appear to be a protobuf message, expected prefix "
                                 "[107 56 115 0]")
    if len(body) == len(MAGIC):
        raise errors.bad_request("empty body: the protobuf request body holds only its prefix")
    types = catalog.load()
    envelope = _parse(types.message_class(_UNKNOWN), body[len(MAGIC):], "the protobuf envelope (runtime.Unknown)")
    api_version, kind = _type_meta(envelope, default_api_version, default_kind)
    full_name = types.find_kind(api_version, kind)
    if full_name is None:
        raise errors.bad_request(f'no kind "{kind}" is registered for version "{api_version}" in the protobuf '
                                 f"descriptors gitplane serves (from {types.source})")
    value = _parse(types.message_class(full_name), envelope.raw, f"the {kind} message")
    try:
        obj = _converter().to_json(value)
    except UnicodeDecodeError as exc:
        raise errors.bad_request(f"the {kind} message has a map key or value that is not UTF-8: {exc}") from exc
    except ValueError as exc:
        raise errors.bad_request(f"the {kind} message has a value with no JSON form: {exc}") from exc
    return {"apiVersion": api_version, "kind": kind, **obj}


def _parse(cls: type[message.Message], data: bytes, what: str) -> Any:
    """A message of ``cls`` (typed ``Any``: its fields are dynamic attributes)."""
    try:
        return cls.FromString(data)
    except message.DecodeError as exc:
        raise errors.bad_request(f"{what} is not valid protobuf: {exc}") from exc


def _type_meta(envelope: Any, default_api_version: str, default_kind: str) -> tuple[str, str]:
    """apiVersion and kind from the envelope, gaps filled from the defaults as kube's ``gvkWithDefaults``.
    Strings that are not UTF-8 (protobuf hands them over as bytes) read with U+FFFD, as everywhere else."""
    type_meta = envelope.typeMeta
    kind = to_json.text(type_meta.kind) or default_kind
    group, _, version = to_json.text(type_meta.apiVersion).rpartition("/")
    default_group, _, default_version = default_api_version.rpartition("/")
    if not version and (not group or group == default_group):
        group, version = default_group, default_version
    if not kind:
        raise errors.bad_request("Object 'Kind' is missing in the protobuf envelope (runtime.Unknown)")
    return (f"{group}/{version}" if group else version), kind
