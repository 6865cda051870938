"""Admission of Workspaces, as kcp's ``workspace`` and ``workspacetypeexists`` plugins admit them.

Mutating, on create:

* the creator is recorded in ``experimental.tenancy.kcp.io/owner`` (JSON user info; not for ``system:masters``,
  kcp's privileged group), so that the new workspace can bind its owner to ``cluster-admin``;
* the parent's ``authorization.kcp.io/required-groups`` is copied (only ``system:masters`` set their own);
* the logical cluster's name is chosen (``internal.tenancy.kcp.io/cluster``; only ``system:masters`` choose one) and
  the ``core.kcp.io/logicalcluster`` finalizer holds the Workspace until its cluster is gone;
* ``spec.cluster`` and ``spec.URL`` are set from that name and the workspace's path (only ``system:masters`` may
  send their own: anyone else's are refused before they are filled in; on this one shard both are known at
  once, so the workspace controller writes only the status), and the phase starts ``Scheduling``;
* a missing ``spec.type`` becomes the parent type's ``defaultChildWorkspaceType``; a type without a path gets
  the canonical path of the workspace the type was found in; the type's ``additionalWorkspaceLabels`` are
  added where the workspace does not set them.

Validating, on create: the type resolves; the user may ``use`` it and every type it extends (verb ``use`` on
``workspacetypes`` with the type's name, asked in the type's own workspace); no alias of the parent's type or
of the new type forbids the pair (``limitAllowedChildren``, ``limitAllowedParents``). On update: only
``system:masters`` changes ``spec.cluster`` or ``spec.URL`` (the CRD's CEL rules keep the type and the cluster
immutable). Refusals are 403 in kcp's words.

    Workspace create --mutate--> owner, type {name, path}, labels --validate--> use, parent/child limits
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import orjson

from gitplane.api import errors
from gitplane.server.admission import Attributes, Operation
from gitplane.server.requestinfo import RequestInfo
from gitplane.server.stages.authz import REQUEST_AUTHORIZATION
from gitplane.server.tenancy import logicalclusters as lc
from gitplane.server.tenancy import workspacetypes as wst
from gitplane.storage import interface as storage

GROUP = "tenancy.kcp.io"
PRIVILEGED = "system:masters"


class Index(wst.Paths, Protocol):
    def path_of(self, name: str) -> str | None: ...


def _is_workspace(attrs: Attributes) -> bool:
    return attrs.type.group == GROUP and attrs.type.plural == "workspaces" and attrs.subresource == ""


def _forbidden(attrs: Attributes, message: str) -> errors.APIError:
    return errors.forbidden_error(f'workspaces.{GROUP} "{attrs.name}" is forbidden: {message}',
                                  resource="workspaces", group=GROUP, name=attrs.name)


class WorkspaceAdmission:
    def __init__(self, index: Index, external_url: str, cache: wst.WorkspaceTypeCache | None = None) -> None:
        """``external_url``: the server's URL as clients reach it, the base of ``spec.URL``."""
        self._index = index
        self._external_url = external_url
        self._cache = cache

    def _resolver(self, attrs: Attributes) -> wst.Resolver:
        return wst.Resolver(attrs.store, self._index, self._cache)

    async def _parent(self, attrs: Attributes) -> tuple[str, wst.Reference, str | None]:
        """The path of the workspace the Workspace is created in, its own type, and its required groups."""
        try:
            record = await attrs.store.get(lc.key(attrs.cluster))
        except storage.NotFound:
            raise _forbidden(attrs, "workspace type cannot be resolved: the parent workspace has no "
                                    "LogicalCluster") from None
        obj = orjson.loads(record.value)
        annotations = (obj.get("metadata") or {}).get("annotations") or {}
        path = annotations.get(lc.PATH_ANNOTATION) or self._index.path_of(attrs.cluster) or attrs.cluster
        type_path, _, type_name = str(annotations.get(lc.TYPE_ANNOTATION) or "").rpartition(":")
        if not type_path or not type_name:
            raise _forbidden(attrs, f"annotation {lc.TYPE_ANNOTATION} on LogicalCluster must be in the form of "
                                    "cluster:name")
        required = annotations.get(lc.REQUIRED_GROUPS_ANNOTATION)
        return path, wst.Reference(type_name, type_path), required if isinstance(required, str) else None

    async def mutate(self, attrs: Attributes) -> None:
        if not _is_workspace(attrs) or attrs.operation is not Operation.CREATE or attrs.obj is None:
            return
        obj = attrs.obj
        spec = obj.setdefault("spec", {})
        if not isinstance(spec, dict) or spec.get("mount"):
            return
        meta = obj.setdefault("metadata", {})
        annotations = meta.setdefault("annotations", {})
        privileged = PRIVILEGED in attrs.user.groups
        if not privileged:
            annotations[lc.OWNER_ANNOTATION] = lc.owner_annotation(attrs.user)
            for field in ("cluster", "URL"):
                if spec.get(field):
                    raise _forbidden(attrs, f"spec.{field} can only be set by system privileged users")
        # the cluster's name is chosen now and the Workspace held until its cluster is gone, so that the
        # workspace controller's first write is already the cluster it made
        chosen = (annotations.get(lc.CLUSTER_ANNOTATION) or spec.get("cluster")) if privileged else None
        name = annotations[lc.CLUSTER_ANNOTATION] = chosen or lc.new_name()  # nobody else picks, say a home
        finalizers = meta.setdefault("finalizers", [])
        if lc.FINALIZER not in finalizers:
            finalizers.append(lc.FINALIZER)
        resolver = self._resolver(attrs)
        path, parent_ref, required = await self._parent(attrs)
        if required is not None and (PRIVILEGED not in attrs.user.groups
                                     or lc.REQUIRED_GROUPS_ANNOTATION not in annotations):
            annotations[lc.REQUIRED_GROUPS_ANNOTATION] = required  # a child is no more open than its parent
        elif PRIVILEGED not in attrs.user.groups:
            annotations.pop(lc.REQUIRED_GROUPS_ANNOTATION, None)
        ref = wst.Reference.of(spec.get("type"))
        if ref is None:
            parent = await resolver.get(parent_ref.path, parent_ref.name)
            if parent is None:
                raise _forbidden(attrs, f"parent type cannot be resolved: workspace type "
                                        f'"{parent_ref.qualified}" cannot be resolved')
            default = wst.Reference.of(parent.spec.get("defaultChildWorkspaceType"))
            if default is None:
                raise _forbidden(attrs, f"spec.defaultChildWorkspaceType of workspace type {parent.qualified} "
                                        "must be set")
            ref = default
        try:
            wt = await resolver.resolve(path, ref)
        except wst.UnusableType as exc:
            raise _forbidden(attrs, str(exc)) from None
        spec["type"] = {"name": ref.name, "path": ref.path or wt.path}
        spec["cluster"] = name
        spec["URL"] = lc.url(self._external_url, f"{path}:{meta.get('name', '')}")
        obj["status"] = {"phase": "Scheduling"}
        meta.setdefault("labels", {})[lc.PHASE_LABEL] = "Scheduling"
        labels = (wt.spec.get("additionalWorkspaceLabels") or {})
        if isinstance(labels, Mapping) and labels:
            own = meta.setdefault("labels", {})
            for key, value in labels.items():
                own.setdefault(key, value)

    async def validate(self, attrs: Attributes) -> None:
        if not _is_workspace(attrs) or attrs.obj is None:
            return
        spec = attrs.obj.get("spec") or {}
        privileged = PRIVILEGED in attrs.user.groups
        if attrs.operation is Operation.UPDATE:
            old = (attrs.old or {}).get("spec") or {}
            for field in ("cluster", "URL"):
                if spec.get(field) != old.get(field) and not privileged:
                    raise _forbidden(attrs, f"spec.{field} can only be changed by system privileged users")
            return
        if attrs.operation is not Operation.CREATE or spec.get("mount"):
            return
        ref = wst.Reference.of(spec.get("type"))
        if ref is None or not ref.path:
            raise _forbidden(attrs, "spec.type.path must be set")
        resolver = self._resolver(attrs)
        path, parent_ref, _ = await self._parent(attrs)
        try:
            wt = await resolver.resolve(path, ref)
            aliases = await resolver.aliases(wt)
            parent = await resolver.resolve(path, parent_ref)
            parent_aliases = await resolver.aliases(parent)
        except wst.UnusableType as exc:
            raise _forbidden(attrs, str(exc)) from None
        self._check_use(attrs, aliases)
        problems = [*wst.allowed_parents(parent_aliases, aliases, parent.qualified, ref.qualified),
                    *wst.allowed_children(parent_aliases, aliases, parent.qualified, ref.qualified)]
        if problems:
            raise _forbidden(attrs, problems[0] if len(problems) == 1 else "[" + ", ".join(problems) + "]")

    def _check_use(self, attrs: Attributes, aliases: list[wst.WorkspaceType]) -> None:
        current = REQUEST_AUTHORIZATION.get()
        if current is None:
            raise _forbidden(attrs, "no user on request")
        for alias in aliases:
            cluster = self._index.resolve(alias.path) or alias.path
            info = RequestInfo(alias.path, True, "", "use", True, "apis", GROUP, "v1alpha1", "",
                               wst.RESOURCE, alias.name)
            if not current.allows_in(cluster, info):
                raise _forbidden(attrs, f"unable to use workspace type {alias.qualified}: missing verb='use' "
                                        "permission on workspacetype")
