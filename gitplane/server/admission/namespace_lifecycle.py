"""Admission plugin NamespaceLifecycle, as kube-apiserver's: content may only be created in a namespace that
exists and is not terminating, and the namespaces the system relies on may not be deleted."""

from __future__ import annotations

import orjson

from gitplane.api import errors
from gitplane.server.admission import Attributes, Operation
from gitplane.storage import interface as storage

IMMORTAL_NAMESPACES = frozenset({"default", "kube-system", "kube-public"})


def namespace_key(cluster: str, name: str) -> storage.Key:
    return storage.Key("", "namespaces", "", cluster, "", name)


class NamespaceLifecycle:
    async def validate(self, attrs: Attributes) -> None:
        if attrs.type.group == "" and attrs.type.plural == "namespaces":
            if attrs.operation is Operation.DELETE and attrs.name in IMMORTAL_NAMESPACES:
                raise errors.forbidden_error(
                    f'namespaces "{attrs.name}" is forbidden: this namespace may not be deleted',
                    resource="namespaces", name=attrs.name)
            return
        if attrs.operation is not Operation.CREATE or not attrs.type.namespaced or attrs.subresource:
            return
        try:
            record = await attrs.store.get(namespace_key(attrs.cluster, attrs.namespace))
        except storage.NotFound:
            raise errors.not_found("namespaces", attrs.namespace) from None
        if b'"deletionTimestamp"' not in record.value:  # the namespace is not terminating: no need to decode it
            return
        meta = orjson.loads(record.value).get("metadata") or {}
        if meta.get("deletionTimestamp"):
            resource = attrs.type.plural if not attrs.type.group else f"{attrs.type.plural}.{attrs.type.group}"
            raise errors.forbidden_error(
                f'{resource} "{attrs.name}" is forbidden: unable to create new content in namespace '
                f"{attrs.namespace} because it is being terminated",
                resource=attrs.type.plural, group=attrs.type.group, name=attrs.name,
                causes=[{"reason": "NamespaceTerminating",
                         "message": f'namespace {attrs.namespace} is being terminated',
                         "field": "metadata.namespace"}])
