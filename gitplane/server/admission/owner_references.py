"""Admission plugin OwnerReferencesPermissionEnforcement, as kube-apiserver's (``plugin/pkg/admission/gc``):
nobody uses owner references to reach what their own permissions do not.

    an update that changes metadata.ownerReferences   the writer must be allowed to ``delete`` the object (an
                                                      owner reference can get it garbage collected); a create
                                                      is not checked: its writer could have not created it
    a new reference with blockOwnerDeletion=true      the writer must be allowed to ``update`` the owner's
                                                      ``finalizers`` subresource (blocking holds the owner's
                                                      foreground deletion), on create as on update

A reference is new unless the old object had one with the same uid that already blocked. The owner's resource
comes from its apiVersion and kind in the catalog of the request's logical cluster; the owner is looked up in
the dependent's namespace when namespaced. Permissions are asked of the chain that authorized the request
(:data:`~gitplane.server.stages.authz.REQUEST_AUTHORIZATION`), for the same user and cluster; writes without
one (the server's own controllers, in process) are not checked. ``pods/status`` is exempt, as in kube.

Refusals read as kube's ``admission.NewForbidden``: ``configmaps "x" is forbidden: cannot set an ownerRef on a
resource you can't delete: <reason>, <nil>``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from gitplane.api import errors
from gitplane.server.admission import Attributes, Operation
from gitplane.server.catalog import Catalog
from gitplane.server.requestinfo import RequestInfo
from gitplane.server.stages.authz import REQUEST_AUTHORIZATION, Decision, RequestAuthorization
from gitplane.server.stages.authz import Attributes as AuthzAttributes

_EXEMPT = frozenset({("", "pods", "status")})


def _owner_references(obj: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    refs = ((obj or {}).get("metadata") or {}).get("ownerReferences") or []
    return [ref for ref in refs if isinstance(ref, dict)]


def _new_blocking(new: Mapping[str, Any] | None, old: Mapping[str, Any] | None) -> Iterator[dict[str, Any]]:
    """kube's ``newBlockingOwnerDeletionRefs``: references that block now and did not block before."""
    old_by_uid = {ref.get("uid"): ref for ref in _owner_references(old)}
    for ref in _owner_references(new):
        if ref.get("blockOwnerDeletion") is not True:
            continue
        before = old_by_uid.get(ref.get("uid"))
        if before is None or before.get("blockOwnerDeletion") is not True:
            yield ref


def _split_api_version(api_version: str) -> tuple[str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version


class OwnerReferencesPermissionEnforcement:
    """``catalog_for``: the catalog a logical cluster serves (to resolve an owner's kind to its resource)."""

    def __init__(self, catalog_for: Callable[[str], Catalog]) -> None:
        self._catalog_for = catalog_for

    async def validate(self, attrs: Attributes) -> None:
        if attrs.operation is Operation.DELETE or (attrs.type.group, attrs.type.plural, attrs.subresource) in _EXEMPT:
            return
        refs = _owner_references(attrs.obj)
        if attrs.operation is Operation.CREATE and not refs:
            return
        if attrs.operation is Operation.UPDATE and refs == _owner_references(attrs.old):
            return
        current = REQUEST_AUTHORIZATION.get()
        if current is None:
            return
        if attrs.operation is Operation.UPDATE:
            t = attrs.type
            _require(current, attrs, verb="delete", group=t.group, version=t.version, namespace=attrs.namespace,
                     resource=t.plural, subresource=attrs.subresource, name=attrs.name,
                     refusal="cannot set an ownerRef on a resource you can't delete")
        for ref in _new_blocking(attrs.obj, attrs.old):
            api_version, kind = str(ref.get("apiVersion") or ""), str(ref.get("kind") or "")
            group, version = _split_api_version(api_version)
            owner = next((t for t in self._catalog_for(attrs.cluster).of_group_version(group, version)
                          if t.kind == kind), None)
            if owner is None:
                raise _forbidden(attrs, "cannot set blockOwnerDeletion in this case because cannot find "
                                             f"RESTMapping for APIVersion {api_version} Kind {kind}: no matches "
                                             f'for kind "{kind}" in version "{api_version}"')
            _require(current, attrs, verb="update", group=owner.group, version=owner.version,
                     namespace=attrs.namespace if owner.namespaced else "", resource=owner.plural,
                     subresource="finalizers", name=str(ref.get("name") or ""),
                     refusal="cannot set blockOwnerDeletion if an ownerReference refers to a resource you can't "
                             "set finalizers on")


def _require(current: RequestAuthorization, attrs: Attributes, *, verb: str, group: str, version: str,
             namespace: str, resource: str, subresource: str, name: str, refusal: str) -> None:
    """Refuse unless the request's user may ``verb`` the resource, worded as kube (reason, then Go's nil)."""
    asked = current.attrs.info
    info = RequestInfo(asked.cluster_path, asked.explicit_cluster, "", verb, True, "apis" if group else "api",
                       group, version, namespace, resource, name, subresource)
    decision, reason = current.chain.decide(AuthzAttributes(current.attrs.user, current.attrs.cluster, info))
    if decision is not Decision.ALLOW:
        raise _forbidden(attrs, f"{refusal}: {reason}, <nil>")


def _forbidden(attrs: Attributes, detail: str) -> errors.APIError:
    t = attrs.type
    resource = f"{t.plural}.{t.group}" if t.group else t.plural
    return errors.forbidden_error(f'{resource} "{attrs.name}" is forbidden: {detail}', resource=t.plural,
                                  group=t.group, name=attrs.name)
