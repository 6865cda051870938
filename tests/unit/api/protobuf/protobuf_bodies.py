"""Building protobuf request bodies for the tests, with the dynamic message classes of the shipped catalog.

Messages are filled from dicts in the *protobuf* shape (``json_format.ParseDict``: times as ``{"seconds"}``,
bytes as base64), so each test states the wire content and the Kubernetes JSON it must become.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format

from gitplane.api.protobuf import catalog, envelope

CORE = "k8s.io.api.core.v1"
META = "k8s.io.apimachinery.pkg.apis.meta.v1"
UNKNOWN = "k8s.io.apimachinery.pkg.runtime.Unknown"

GO_EMPTY_META = {"generateName": "", "selfLink": "", "uid": "", "resourceVersion": "", "generation": "0",
                 "creationTimestamp": {}}
"""The ObjectMeta fields Go always writes, zero in a new object (client-go sends exactly these)."""


def message(full_name: str, fields: dict[str, Any] | None = None) -> Any:
    """A message of the catalog's type ``full_name``, filled from its protobuf-shaped dict."""
    return json_format.ParseDict(fields or {}, catalog.load().message_class(full_name)())


def wrap(api_version: str, kind: str, raw: bytes) -> bytes:
    """The request body kube's protobuf serializer writes around a serialized object."""
    unknown = message(UNKNOWN, {"typeMeta": {"apiVersion": api_version, "kind": kind}, "contentEncoding": "",
                                "contentType": ""})
    return wrap_unknown(unknown, raw)


def wrap_unknown(unknown: Any, raw: bytes) -> bytes:
    """The body of a given ``runtime.Unknown`` envelope carrying ``raw``."""
    unknown.raw = raw
    serialized: bytes = unknown.SerializeToString()
    return envelope.MAGIC + serialized


def body(api_version: str, kind: str, full_name: str, fields: dict[str, Any]) -> bytes:
    """The request body of a ``kind`` object of message type ``full_name`` with protobuf-shaped ``fields``."""
    return wrap(api_version, kind, message(full_name, fields).SerializeToString())
