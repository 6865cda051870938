"""SelfSubjectAccessReview, SubjectAccessReview and LocalSubjectAccessReview: "may this user do that?", as
kube-apiserver's access review REST handlers answer it (``kubectl auth can-i``).

The question (``spec.resourceAttributes`` or ``spec.nonResourceAttributes``) becomes a request target, and the
server's own authorizer chain decides it in the request's logical cluster, for:

    SelfSubjectAccessReview    the caller (after impersonation)
    SubjectAccessReview        ``spec.user``, ``groups``, ``uid``, ``extra`` exactly as given (no
                               ``system:authenticated`` is added, as kube adds none)
    LocalSubjectAccessReview   the same, in the URL's namespace, which ``spec.resourceAttributes.namespace``
                               must name

The answer echoes the review with ``status {allowed, denied, reason}``: allowed when the chain allows, denied
when an authorizer denies, and the chain's reason (``RBAC: allowed by ClusterRoleBinding ...``). A malformed
question is refused as kube refuses it (422 with kube's field errors, 400 for a namespace mismatch).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gitplane.api import errors
from gitplane.server.request import UserInfo
from gitplane.server.requestinfo import RequestInfo
from gitplane.server.rest.context import Obj, ResourceRequest
from gitplane.server.stages.authz import Attributes, Authorization, Decision

GROUP = "authorization.k8s.io"
_EMPTY_META_KEYS = frozenset({"creationTimestamp", "managedFields"})


def target(spec: Mapping[str, Any]) -> RequestInfo:
    """The request target a review's spec asks about (kube's ``ResourceAttributesFrom`` and
    ``NonResourceAttributesFrom``); the spec has one of the two."""
    resource = spec.get("resourceAttributes")
    if resource is not None:
        def field(name: str) -> str:
            return str(resource.get(name) or "")
        return RequestInfo("", False, "", field("verb"), True, group=field("group"), version=field("version") or "*",
                           namespace=field("namespace"), resource=field("resource"), name=field("name"),
                           subresource=field("subresource"))
    other = spec["nonResourceAttributes"]
    return RequestInfo("", False, str(other.get("path") or ""), str(other.get("verb") or ""), False)


def spec_errors(spec: Mapping[str, Any]) -> list[errors.FieldError]:
    """kube's ``ValidateSelfSubjectAccessReviewSpec``: exactly one of the two attribute sets."""
    resource, other = spec.get("resourceAttributes"), spec.get("nonResourceAttributes")
    if resource is not None and other is not None:
        return [errors.invalid_value("spec.nonResourceAttributes", other,
                                     "cannot be specified in combination with resourceAttributes")]
    if resource is None and other is None:
        return [errors.invalid_value("spec.resourceAttributes", None,
                                     "exactly one of nonResourceAttributes or resourceAttributes must be specified")]
    return []


def _meta_errors(obj: Obj, detail: str, allowed: frozenset[str] = _EMPTY_META_KEYS) -> list[errors.FieldError]:
    meta = obj.get("metadata") or {}
    if any(value not in (None, "", {}, []) for key, value in meta.items() if key not in allowed):
        return [errors.invalid_value("metadata", meta, detail)]
    return []


def subject(spec: Mapping[str, Any]) -> UserInfo:
    """The user a SubjectAccessReview names."""
    extra = spec.get("extra") or {}
    return UserInfo(str(spec.get("user") or ""), tuple(str(g) for g in spec.get("groups") or ()),
                    str(spec.get("uid") or ""),
                    tuple((str(k), tuple(str(v) for v in values or ())) for k, values in extra.items()))


class AccessReviews:
    """The three access review handlers, over one authorizer chain."""

    def __init__(self, authorization: Authorization) -> None:
        self._authorization = authorization

    def _answer(self, ctx: ResourceRequest, review: Obj, user: UserInfo) -> Obj:
        decision, reason = self._authorization.decide(Attributes(user, ctx.cluster, target(review["spec"])))
        status: dict[str, Any] = {"allowed": decision is Decision.ALLOW}
        if decision is Decision.DENY:
            status["denied"] = True
        if reason:
            status["reason"] = reason
        meta = dict(review.get("metadata") or {})
        meta.setdefault("creationTimestamp", None)
        return {**review, "metadata": meta, "status": status}

    @staticmethod
    def _refuse_invalid(ctx: ResourceRequest, errs: list[errors.FieldError]) -> None:
        if errs:
            raise errors.invalid(ctx.type.kind, "", errs, GROUP)

    async def self_subject(self, ctx: ResourceRequest, review: Obj) -> Obj:
        spec = review.setdefault("spec", {})
        self._refuse_invalid(ctx, spec_errors(spec) + _meta_errors(review, "must be empty"))
        return self._answer(ctx, review, ctx.request.require_user())

    async def subject(self, ctx: ResourceRequest, review: Obj) -> Obj:
        spec = review.setdefault("spec", {})
        errs = spec_errors(spec) + _user_errors(spec) + _meta_errors(review, "must be empty")
        self._refuse_invalid(ctx, errs)
        return self._answer(ctx, review, subject(spec))

    async def local(self, ctx: ResourceRequest, review: Obj) -> Obj:
        meta = review.setdefault("metadata", {})
        if meta.get("namespace") and meta["namespace"] != ctx.namespace:
            raise errors.bad_request("the namespace of the provided object does not match the namespace sent on "
                                     "the request")
        meta["namespace"] = ctx.namespace
        spec = review.setdefault("spec", {})
        errs = spec_errors(spec) + _user_errors(spec)
        errs += _meta_errors(review, "must be empty except for namespace", _EMPTY_META_KEYS | {"namespace"})
        resource = spec.get("resourceAttributes")
        if resource is not None and (resource.get("namespace") or "") != ctx.namespace:
            errs.append(errors.invalid_value("spec.resourceAttributes.namespace", resource.get("namespace") or "",
                                             "must match metadata.namespace"))
        if spec.get("nonResourceAttributes") is not None:
            errs.append(errors.invalid_value("spec.nonResourceAttributes", spec["nonResourceAttributes"],
                                             "disallowed on this kind of request"))
        self._refuse_invalid(ctx, errs)
        return self._answer(ctx, review, subject(spec))


def _user_errors(spec: Mapping[str, Any]) -> list[errors.FieldError]:
    if not spec.get("user") and not spec.get("groups"):
        return [errors.invalid_value("spec.user", spec.get("user") or "", "at least one of user or group must be "
                                                                         "specified")]
    return []
