"""The bootstrap policy kube ships (``plugin/pkg/auth/authorizer/rbac/bootstrappolicy``), the part gitplane
serves: the user-facing roles and the roles every identity needs to find its way.

    ClusterRoles         cluster-admin; admin, edit, view (aggregated from ``system:aggregate-to-*`` and from
                         any ClusterRole labelled ``rbac.authorization.k8s.io/aggregate-to-<role>: "true"``);
                         system:discovery, system:basic-user, system:public-info-viewer, system:monitoring,
                         system:service-account-issuer-discovery; kcp's system:kcp:workspace:access (verb
                         ``access`` on ``/``: entering a workspace) and system:kcp:tenancy:reader (reading
                         workspaces, workspace types and logical clusters)
    ClusterRoleBindings  cluster-admin → group system:masters; system:discovery, system:basic-user →
                         system:authenticated; system:public-info-viewer → system:authenticated and
                         system:unauthenticated; system:monitoring → group system:monitoring;
                         system:service-account-issuer-discovery → group system:serviceaccounts

Objects carry kube's ``kubernetes.io/bootstrapping: rbac-defaults`` label and the
``rbac.authorization.kubernetes.io/autoupdate: "true"`` annotation. :func:`aggregated_cluster_roles` gives the
roles with the aggregated rules filled as the aggregation controller fills them, which is how the policy applies
to every logical cluster (kcp's bootstrap policy, see :mod:`gitplane.server.rbac.index`).

The root logical cluster has kcp's root policy besides: every authenticated user may enter it
(``system:kcp:tenancy:authenticated:access``) and create workspaces of the built-in types in it
(``system:kcp:universal-workspacetype-use``, from :mod:`gitplane.server.systemcrds`).
"""

from __future__ import annotations

import copy
from typing import Any

from gitplane.server.systemcrds.served import read_yaml

WORKSPACE_TYPE_USE = "workspacetype-use.yaml"
GROUP = "rbac.authorization.k8s.io"
API_VERSION = f"{GROUP}/v1"
LABELS = {"kubernetes.io/bootstrapping": "rbac-defaults"}
ANNOTATIONS = {"rbac.authorization.kubernetes.io/autoupdate": "true"}
AGGREGATE_TO = "rbac.authorization.k8s.io/aggregate-to-"

_READ = ["get", "list", "watch"]
_WRITE = ["create", "delete", "deletecollection", "patch", "update"]
_ALL_RW = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

Obj = dict[str, Any]


def _rule(groups: list[str], resources: list[str], verbs: list[str]) -> Obj:
    return {"apiGroups": groups, "resources": resources, "verbs": verbs}


def _urls(urls: list[str], verbs: list[str]) -> Obj:
    return {"nonResourceURLs": urls, "verbs": verbs}


def _cluster_role(name: str, rules: list[Obj] | None, *, labels: dict[str, str] | None = None,
                  aggregate_from: str = "") -> Obj:
    role: Obj = {"apiVersion": API_VERSION, "kind": "ClusterRole",
                 "metadata": {"name": name, "labels": {**LABELS, **(labels or {})},
                              "annotations": dict(ANNOTATIONS)}}
    if aggregate_from:
        role["aggregationRule"] = {"clusterRoleSelectors": [{"matchLabels": {AGGREGATE_TO + aggregate_from: "true"}}]}
    role["rules"] = rules if rules is not None else []
    return role


_CLUSTER_ROLES: list[Obj] = [
    _cluster_role("cluster-admin", [_rule(["*"], ["*"], ["*"]), _urls(["*"], ["*"])]),
    _cluster_role("admin", None, aggregate_from="admin"),
    _cluster_role("edit", None, labels={AGGREGATE_TO + "admin": "true"}, aggregate_from="edit"),
    _cluster_role("view", None, labels={AGGREGATE_TO + "edit": "true"}, aggregate_from="view"),
    _cluster_role("system:aggregate-to-admin", [
        _rule(["authorization.k8s.io"], ["localsubjectaccessreviews"], ["create"]),
        _rule([GROUP], ["rolebindings", "roles"], _ALL_RW),
    ], labels={AGGREGATE_TO + "admin": "true"}),
    _cluster_role("system:aggregate-to-edit", [
        _rule([""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"],
              _READ),
        _rule([""], ["serviceaccounts"], ["impersonate"]),
        _rule([""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"], _WRITE),
        _rule([""], ["pods/eviction"], ["create"]),
        _rule([""], ["configmaps", "events", "persistentvolumeclaims", "replicationcontrollers",
                     "replicationcontrollers/scale", "secrets", "serviceaccounts", "services", "services/proxy"],
              _WRITE),
        _rule([""], ["serviceaccounts/token"], ["create"]),
        _rule(["apps"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets",
                         "replicasets/scale", "statefulsets", "statefulsets/scale"], _WRITE),
        _rule(["autoscaling"], ["horizontalpodautoscalers"], _WRITE),
        _rule(["batch"], ["cronjobs", "jobs"], _WRITE),
        _rule(["extensions"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale",
                               "ingresses", "networkpolicies", "replicasets", "replicasets/scale",
                               "replicationcontrollers/scale"], _WRITE),
        _rule(["policy"], ["poddisruptionbudgets"], _WRITE),
        _rule(["networking.k8s.io"], ["ingresses", "networkpolicies"], _WRITE),
        _rule(["coordination.k8s.io"], ["leases"], _ALL_RW),
    ], labels={AGGREGATE_TO + "edit": "true"}),
    _cluster_role("system:aggregate-to-view", [
        _rule([""], ["configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods",
                     "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services",
                     "services/status"], _READ),
        _rule([""], ["bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status",
                     "replicationcontrollers/status", "resourcequotas", "resourcequotas/status"], _READ),
        _rule([""], ["namespaces"], _READ),
        _rule(["discovery.k8s.io"], ["endpointslices"], _READ),
        _rule(["apps"], ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments",
                         "deployments/scale", "deployments/status", "replicasets", "replicasets/scale",
                         "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status"], _READ),
        _rule(["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"], _READ),
        _rule(["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"], _READ),
        _rule(["extensions"], ["daemonsets", "daemonsets/status", "deployments", "deployments/scale",
                               "deployments/status", "ingresses", "ingresses/status", "networkpolicies",
                               "replicasets", "replicasets/scale", "replicasets/status",
                               "replicationcontrollers/scale"], _READ),
        _rule(["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"], _READ),
        _rule(["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"], _READ),
    ], labels={AGGREGATE_TO + "view": "true"}),
    _cluster_role("system:discovery", [_urls(["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi",
                                              "/openapi/*", "/readyz", "/version", "/version/"], ["get"])]),
    _cluster_role("system:basic-user", [
        _rule(["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], ["create"]),
        _rule(["authentication.k8s.io"], ["selfsubjectreviews"], ["create"]),
    ]),
    _cluster_role("system:public-info-viewer", [_urls(["/healthz", "/livez", "/readyz", "/version", "/version/"],
                                                      ["get"])]),
    _cluster_role("system:monitoring", [_urls(["/healthz", "/healthz/*", "/livez", "/livez/*", "/metrics",
                                               "/metrics/slis", "/readyz", "/readyz/*"], ["get"])]),
    _cluster_role("system:kcp:workspace:access", [_urls(["/"], ["access"])]),
    _cluster_role("system:kcp:tenancy:reader", [_rule(["tenancy.kcp.io"], ["workspaces", "workspacetypes"], _READ),
                                                _rule(["core.kcp.io"], ["logicalclusters"], _READ)]),
    _cluster_role("system:service-account-issuer-discovery", [
        _urls(["/.well-known/openid-configuration", "/.well-known/openid-configuration/", "/openid/v1/jwks",
               "/openid/v1/jwks/"], ["get"])]),
]


def _binding(name: str, role: str, *groups: str) -> Obj:
    return {"apiVersion": API_VERSION, "kind": "ClusterRoleBinding",
            "metadata": {"name": name, "labels": dict(LABELS), "annotations": dict(ANNOTATIONS)},
            "roleRef": {"apiGroup": GROUP, "kind": "ClusterRole", "name": role},
            "subjects": [{"apiGroup": GROUP, "kind": "Group", "name": g} for g in groups]}


_CLUSTER_ROLE_BINDINGS: list[Obj] = [
    _binding("cluster-admin", "cluster-admin", "system:masters"),
    _binding("system:discovery", "system:discovery", "system:authenticated"),
    _binding("system:basic-user", "system:basic-user", "system:authenticated"),
    _binding("system:public-info-viewer", "system:public-info-viewer", "system:authenticated",
             "system:unauthenticated"),
    _binding("system:monitoring", "system:monitoring", "system:monitoring"),
    _binding("system:service-account-issuer-discovery", "system:service-account-issuer-discovery",
             "system:serviceaccounts"),
]


def cluster_roles() -> list[Obj]:
    """The ClusterRoles as written at bootstrap (aggregated roles without rules: the controller fills them)."""
    return copy.deepcopy(_CLUSTER_ROLES)


def cluster_role_bindings() -> list[Obj]:
    return copy.deepcopy(_CLUSTER_ROLE_BINDINGS)


_ROOT_CLUSTER_ROLES: list[Obj] = [
    _cluster_role("system:kcp:home-clusterworkspace-create", [
        {**_rule(["tenancy.kcp.io"], ["workspaces"], ["get", "create"]), "resourceNames": ["~"]}]),
]
_ROOT_CLUSTER_ROLE_BINDINGS: list[Obj] = [
    _binding("system:kcp:tenancy:authenticated:access", "system:kcp:workspace:access", "system:authenticated"),
    _binding("system:kcp:authenticated:home-clusterworkspace-create", "system:kcp:home-clusterworkspace-create",
             "system:authenticated"),
    _binding("system:kcp:authenticated:tenancy:reader", "system:kcp:tenancy:reader", "system:authenticated"),
]


def root_cluster_roles() -> list[Obj]:
    """kcp's ClusterRoles of the root logical cluster only: ``use`` of the built-in WorkspaceTypes, and one's own
    home workspace (``get`` and ``create`` of ``workspaces/~``)."""
    return [*copy.deepcopy(_ROOT_CLUSTER_ROLES),
            *(doc for doc in read_yaml(WORKSPACE_TYPE_USE) if doc["kind"] == "ClusterRole")]


def root_cluster_role_bindings() -> list[Obj]:
    """kcp's ClusterRoleBindings of the root logical cluster only: every authenticated user may enter root, read
    its workspaces and types, use the built-in WorkspaceTypes and have a home workspace."""
    return [*copy.deepcopy(_ROOT_CLUSTER_ROLE_BINDINGS),
            *(doc for doc in read_yaml(WORKSPACE_TYPE_USE) if doc["kind"] == "ClusterRoleBinding")]


def aggregated_cluster_roles() -> list[Obj]:
    """The ClusterRoles with every aggregation rule applied, as the aggregation controller leaves them."""
    from gitplane.server.rbac.aggregation import aggregate_all
    return aggregate_all(cluster_roles())
