"""Escalation prevention on RBAC writes (kube's ``pkg/registry/rbac/*/policybased``): nobody grants, through a
role or a binding, permissions they do not hold themselves.

    Role / ClusterRole create or update    allowed to ``system:masters``, to holders of ``escalate`` on the
                                           role, or when every rule is covered by the writer's own rules in
                                           the role's namespace (cluster-wide for ClusterRoles); setting an
                                           ``aggregationRule`` needs full authority (``*`` on everything)
    RoleBinding / ClusterRoleBinding       allowed to ``system:masters``, to holders of ``bind`` on the
                                           referenced role, or when the role's rules are covered in the
                                           binding's namespace

An update that only changes what garbage collection needs (ownerReferences, finalizers) is not checked, as in
kube. Refusals read as kube's: ``roles.rbac.authorization.k8s.io "r" is forbidden: user "alice"
(groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:`` and one
compacted rule per line.

The writer and the chain that authorized it come from :data:`~gitplane.server.stages.authz.REQUEST_AUTHORIZATION`;
the writer's rules from the chain's :class:`~gitplane.server.rbac.authorizer.RBACAuthorizer`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gitplane.api import errors
from gitplane.api.gosyntax import go_quote
from gitplane.server.rbac import rules as rbac_rules
from gitplane.server.rbac.authorizer import RBACAuthorizer
from gitplane.server.rbac.rules import Rule
from gitplane.server.requestinfo import RequestInfo
from gitplane.server.stages.authz import REQUEST_AUTHORIZATION, RequestAuthorization

GROUP = "rbac.authorization.k8s.io"
MASTERS = "system:masters"
FULL_AUTHORITY = (Rule(("*",), ("*",), ("*",)), Rule(("*",), non_resource_urls=("*",)))
_GC_FIELDS = ("ownerReferences", "finalizers", "managedFields", "resourceVersion")

Obj = Mapping[str, Any]


def _forbidden(resource: str, name: str, detail: str) -> errors.APIError:
    return errors.forbidden_error(f'{resource}.{GROUP} "{name}" is forbidden: {detail}', resource=resource,
                                  group=GROUP, name=name)


def _current(resource: str, name: str) -> RequestAuthorization:
    current = REQUEST_AUTHORIZATION.get()
    if current is None:
        raise _forbidden(resource, name, "no user on request")
    return current


def _resolver(current: RequestAuthorization) -> RBACAuthorizer | None:
    return next((a for a in current.chain.authorizers if isinstance(a, RBACAuthorizer)), None)


def _only_gc_changes(new: Obj, old: Obj) -> bool:
    def stripped(obj: Obj) -> dict[str, Any]:
        meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k not in _GC_FIELDS}
        return {**obj, "metadata": meta}
    return stripped(new) == stripped(old)


def _allowed_verb(current: RequestAuthorization, verb: str, resource: str, name: str, namespace: str) -> bool:
    info = RequestInfo(current.attrs.info.cluster_path, current.attrs.info.explicit_cluster, "", verb, True,
                       "apis", GROUP, "v1", namespace, resource, name)
    return current.allows(info)


def _missing(current: RequestAuthorization, namespace: str, wanted: tuple[Rule, ...]) -> str | None:
    """kube's ``ConfirmNoEscalation``: None when the writer holds ``wanted``, else the refusal's text."""
    resolver = _resolver(current)
    user = current.attrs.user
    owner, resolution_errors = ([], []) if resolver is None else resolver.rules_for(user, current.attrs.cluster,
                                                                                     namespace)
    covered, missing = rbac_rules.covers(owner, wanted)
    if covered:
        return None
    described = sorted({rbac_rules.compact_string(rule) for rule in rbac_rules.compact(missing)})
    groups = "[" + " ".join(go_quote(g) for g in user.groups) + "]"
    message = (f"user {go_quote(user.name)} (groups={groups}) is attempting to grant RBAC permissions not "
               f"currently held:\n" + "\n".join(described))
    if resolution_errors:
        message += f"; resolution errors: [{', '.join(dict.fromkeys(resolution_errors))}]"
    return message


def check_role_write(resource: str, obj: Obj, old: Obj | None) -> None:
    """Raises the 403 when writing Role/ClusterRole ``obj`` (over ``old`` on update) would escalate."""
    meta = obj.get("metadata") or {}
    name, namespace = meta.get("name") or "", meta.get("namespace") or ""
    current = _current(resource, name)
    if MASTERS in current.attrs.user.groups or _allowed_verb(current, "escalate", resource, name, namespace):
        return
    if old is not None and _only_gc_changes(obj, old):
        return
    wanted = tuple(Rule.from_dict(rule) for rule in obj.get("rules") or [])
    problem = _missing(current, namespace, wanted)
    if problem is not None:
        raise _forbidden(resource, name, problem)
    aggregation = obj.get("aggregationRule")
    if aggregation is not None and (old is None or aggregation != old.get("aggregationRule")) \
            and _missing(current, namespace, FULL_AUTHORITY) is not None:
        raise _forbidden(resource, name, "must have cluster-admin privileges to use the aggregationRule")


def check_binding_write(resource: str, obj: Obj, old: Obj | None) -> None:
    """Raises the 403 when writing RoleBinding/ClusterRoleBinding ``obj`` would grant what the writer lacks."""
    meta = obj.get("metadata") or {}
    name, namespace = meta.get("name") or "", meta.get("namespace") or ""
    current = _current(resource, name)
    if MASTERS in current.attrs.user.groups:
        return
    if old is not None and _only_gc_changes(obj, old):
        return
    ref = obj.get("roleRef") or {}
    kind, role = ref.get("kind") or "", ref.get("name") or ""
    role_resource = {"Role": "roles", "ClusterRole": "clusterroles"}.get(kind)
    if role_resource is None:
        return  # validation refuses the kind
    if _allowed_verb(current, "bind", role_resource, role, namespace):
        return
    resolver = _resolver(current)
    found = resolver.index.role_rules(current.attrs.cluster, kind, role, namespace) if resolver else ""
    if isinstance(found, str):
        raise _forbidden(resource, name, f'{role_resource}.{GROUP} "{role}" not found')
    problem = _missing(current, namespace, found)
    if problem is not None:
        raise _forbidden(resource, name, problem)
