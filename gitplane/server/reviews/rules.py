"""SelfSubjectRulesReview: the rules that apply to the caller in a namespace (``kubectl auth can-i --list``), as
kube-apiserver's rules review answers it.

The caller (after impersonation) and ``spec.namespace`` (required: kube refuses a review without one) go to the
RBAC rule resolver of the request's logical cluster (:meth:`~gitplane.server.rbac.authorizer.RBACAuthorizer.rules_for`:
the cluster's ClusterRoleBindings, the namespace's RoleBindings, the bootstrap policy, so ``system:masters``
shows cluster-admin's ``*`` rules). Each rule with resources becomes a ``resourceRules`` entry and each with
non-resource URLs a ``nonResourceRules`` entry, in the resolver's order, each rule once (the bootstrap policy
applies in every cluster beside the copy the bootstrap controller writes there). A binding whose role cannot be found
makes the answer ``incomplete`` with kube's ``evaluationError`` (``clusterrole.rbac.authorization.k8s.io "x"
not found``, several as ``[a, b]``).
"""

from __future__ import annotations

from typing import Any, Protocol

from gitplane.api import errors
from gitplane.api.gosyntax import go_aggregate
from gitplane.server.rbac.rules import Rule
from gitplane.server.request import UserInfo
from gitplane.server.rest.context import Obj, ResourceRequest


class RulesResolver(Protocol):
    def rules_for(self, user: UserInfo, cluster: str, namespace: str) -> tuple[list[Rule], list[str]]:
        """The rules that apply, and the errors of bindings whose role cannot be found."""
        ...


def status_of(rules: list[Rule], problems: list[str]) -> dict[str, Any]:
    resource_rules: list[dict[str, Any]] = []
    non_resource_rules: list[dict[str, Any]] = []
    for rule in dict.fromkeys(rules):  # the bootstrap policy applies beside its copy in the cluster: once each
        if rule.resources:
            entry: dict[str, Any] = {"verbs": list(rule.verbs)}
            for key, values in (("apiGroups", rule.api_groups), ("resources", rule.resources),
                                ("resourceNames", rule.resource_names)):
                if values:
                    entry[key] = list(values)
            resource_rules.append(entry)
        if rule.non_resource_urls:
            non_resource_rules.append({"verbs": list(rule.verbs), "nonResourceURLs": list(rule.non_resource_urls)})
    status: dict[str, Any] = {"resourceRules": resource_rules, "nonResourceRules": non_resource_rules,
                              "incomplete": bool(problems)}
    if problems:
        status["evaluationError"] = go_aggregate(problems)
    return status


class RulesReviews:
    def __init__(self, resolver: RulesResolver) -> None:
        self._resolver = resolver

    async def create(self, ctx: ResourceRequest, review: Obj) -> Obj:
        namespace = str((review.get("spec") or {}).get("namespace") or "")
        if not namespace:
            raise errors.bad_request("no namespace on request")
        rules, problems = self._resolver.rules_for(ctx.request.require_user(), ctx.cluster, namespace)
        return {"kind": ctx.type.kind, "apiVersion": ctx.type.api_version, "metadata": {"creationTimestamp": None},
                "spec": {}, "status": status_of(rules, problems)}
