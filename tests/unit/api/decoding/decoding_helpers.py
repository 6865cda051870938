"""Shared names of the typed-decoding tests: the built-in kinds they decode and the fixture types."""

from __future__ import annotations

from collections.abc import Callable

from gitplane.api import decoding
from gitplane.api.schema import Schema

SchemaOf = Callable[[str], Schema]
Decode = Callable[..., list[str]]

KINDS = {
    "ConfigMap": "io.k8s.api.core.v1.ConfigMap",
    "Secret": "io.k8s.api.core.v1.Secret",
    "Namespace": "io.k8s.api.core.v1.Namespace",
    "ServiceAccount": "io.k8s.api.core.v1.ServiceAccount",
    "Event": "io.k8s.api.core.v1.Event",
    "EventsV1Event": "io.k8s.api.events.v1.Event",
    "ResourceQuota": "io.k8s.api.core.v1.ResourceQuota",
    "LimitRange": "io.k8s.api.core.v1.LimitRange",
    "Lease": "io.k8s.api.coordination.v1.Lease",
}
DecodeError = Callable[..., decoding.TypedDecodeError]
