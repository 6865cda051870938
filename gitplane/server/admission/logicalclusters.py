"""Admission of LogicalClusters: only the system makes or unmakes a logical cluster.

A LogicalCluster is always named ``cluster`` (its CRD's schema says so). Users never create one (a workspace's
cluster is created by the workspace controller, as ``system:masters``); deleting one takes its whole workspace,
so only the system may, unless the LogicalCluster says ``spec.directlyDeletable`` (kcp's rule); root's is never
deleted. Its path and type annotations never change once set, and only the system moves its lifecycle (owner,
phase, initializers, terminators).

Mutating, on create: the cluster starts ``Initializing`` with the initializers of its ``spec`` still to run (kcp's
scheduler writes that status right after the create; here it is part of the create, one write less per
workspace).
"""

from __future__ import annotations

from gitplane.api import errors
from gitplane.server.admission import Attributes, Operation
from gitplane.server.tenancy import logicalclusters as lc
from gitplane.server.tenancy.index import ROOT

PRIVILEGED = "system:masters"
IMMUTABLE_ANNOTATIONS = (lc.PATH_ANNOTATION, lc.TYPE_ANNOTATION)
"""What the cluster is reached by and what rules its children follow: set at creation, never changed."""
SYSTEM_FIELDS = (("spec", "owner"), ("spec", "initializers"), ("spec", "terminators"), ("status", "phase"),
                 ("status", "initializers"), ("status", "terminators"))
"""The lifecycle: a workspace's admins may not skip its initializers or terminators, nor move its phase (kcp
lets only the initializing and terminating virtual workspaces remove an entry)."""


def _forbidden(attrs: Attributes, message: str) -> errors.APIError:
    return errors.forbidden_error(f'{lc.RESOURCE}.{lc.GROUP} "{attrs.name}" is forbidden: {message}',
                                  resource=lc.RESOURCE, group=lc.GROUP, name=attrs.name)


def _is_logical_cluster(attrs: Attributes) -> bool:
    return attrs.type.group == lc.GROUP and attrs.type.plural == lc.RESOURCE


class LogicalClusterAdmission:
    async def mutate(self, attrs: Attributes) -> None:
        if not _is_logical_cluster(attrs) or attrs.operation is not Operation.CREATE or attrs.obj is None:
            return
        initializers = list((attrs.obj.get("spec") or {}).get("initializers") or [])
        attrs.obj["status"] = {"phase": "Initializing", **({"initializers": initializers} if initializers else {})}

    async def validate(self, attrs: Attributes) -> None:
        if not _is_logical_cluster(attrs):
            return
        if attrs.operation is Operation.CREATE:  # the CRD's schema allows no name but "cluster"
            if PRIVILEGED not in attrs.user.groups:
                raise _forbidden(attrs, "logical clusters are created by the system only")
        elif attrs.operation is Operation.UPDATE:
            new = ((attrs.obj or {}).get("metadata") or {}).get("annotations") or {}
            old = ((attrs.old or {}).get("metadata") or {}).get("annotations") or {}
            for annotation in IMMUTABLE_ANNOTATIONS:
                if new.get(annotation) != old.get(annotation):
                    raise _forbidden(attrs, f"the annotation {annotation} is immutable")
            if PRIVILEGED not in attrs.user.groups:
                if new.get(lc.REQUIRED_GROUPS_ANNOTATION) != old.get(lc.REQUIRED_GROUPS_ANNOTATION):
                    raise _forbidden(attrs, f"the annotation {lc.REQUIRED_GROUPS_ANNOTATION} is set by the system only")
                for part, field in SYSTEM_FIELDS:
                    if ((attrs.obj or {}).get(part) or {}).get(field) != ((attrs.old or {}).get(part) or {}).get(field):
                        raise _forbidden(attrs, f"{part}.{field} is changed by the system only")
        elif attrs.operation is Operation.DELETE:
            if attrs.cluster == ROOT:
                raise _forbidden(attrs, "the root logical cluster cannot be deleted")
            directly = ((attrs.old or {}).get("spec") or {}).get("directlyDeletable") is True
            if PRIVILEGED not in attrs.user.groups and not directly:
                raise _forbidden(attrs, "the logical cluster is not directly deletable; delete its Workspace")
