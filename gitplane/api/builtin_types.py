"""The built-in resource types every logical cluster serves.

The list is shared by every logical cluster (a cluster costs nothing for the types it has in common with
the others); discovery, OpenAPI and the request handlers are all derived from it. Names, short names, scopes,
verbs and subresources are those of kube-apiserver 1.30.
"""

from __future__ import annotations

from gitplane.api.resources import ResourceType

_NO_COLLECTION_DELETE = ("create", "delete", "get", "list", "patch", "update", "watch")

NAMESPACES = ResourceType(
    group="", version="v1", plural="namespaces", singular="namespace", kind="Namespace", namespaced=False,
    schema="io.k8s.api.core.v1.Namespace", short_names=("ns",), verbs=_NO_COLLECTION_DELETE,
    subresources=("status", "finalize"), field_selectors=("status.phase",),
)
CONFIGMAPS = ResourceType(
    group="", version="v1", plural="configmaps", singular="configmap", kind="ConfigMap", namespaced=True,
    schema="io.k8s.api.core.v1.ConfigMap", short_names=("cm",),
)
SECRETS = ResourceType(
    group="", version="v1", plural="secrets", singular="secret", kind="Secret", namespaced=True,
    schema="io.k8s.api.core.v1.Secret", field_selectors=("type",),
)
SERVICEACCOUNTS = ResourceType(
    group="", version="v1", plural="serviceaccounts", singular="serviceaccount", kind="ServiceAccount",
    namespaced=True, schema="io.k8s.api.core.v1.ServiceAccount", short_names=("sa",), subresources=("token",),
)
EVENTS = ResourceType(
    group="", version="v1", plural="events", singular="event", kind="Event", namespaced=True,
    schema="io.k8s.api.core.v1.Event", short_names=("ev",),
    field_selectors=(
        "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
        "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
        "reason", "reportingComponent", "source", "type",
    ),
)
EVENTS_V1 = ResourceType(
    group="events.k8s.io", version="v1", plural="events", singular="event", kind="Event", namespaced=True,
    schema="io.k8s.api.events.v1.Event", short_names=("ev",), storage_group="",
    field_selectors=(
        "regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid",
        "regarding.apiVersion", "regarding.resourceVersion", "regarding.fieldPath",
        "reason", "reportingController", "type",
    ),
)
RESOURCEQUOTAS = ResourceType(
    group="", version="v1", plural="resourcequotas", singular="resourcequota", kind="ResourceQuota",
    namespaced=True, schema="io.k8s.api.core.v1.ResourceQuota", short_names=("quota",),
    subresources=("status",),
)
LIMITRANGES = ResourceType(
    group="", version="v1", plural="limitranges", singular="limitrange", kind="LimitRange", namespaced=True,
    schema="io.k8s.api.core.v1.LimitRange", short_names=("limits",),
)
LEASES = ResourceType(
    group="coordination.k8s.io", version="v1", plural="leases", singular="lease", kind="Lease",
    namespaced=True, schema="io.k8s.api.coordination.v1.Lease",
)

CUSTOMRESOURCEDEFINITIONS = ResourceType(
    group="apiextensions.k8s.io", version="v1", plural="customresourcedefinitions",
    singular="customresourcedefinition", kind="CustomResourceDefinition", namespaced=False,
    schema="io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition",
    short_names=("crd", "crds"), categories=("api-extensions",), subresources=("status",),
)

ROLES = ResourceType(
    group="rbac.authorization.k8s.io", version="v1", plural="roles", singular="role", kind="Role",
    namespaced=True, schema="io.k8s.api.rbac.v1.Role",
)
ROLEBINDINGS = ResourceType(
    group="rbac.authorization.k8s.io", version="v1", plural="rolebindings", singular="rolebinding",
    kind="RoleBinding", namespaced=True, schema="io.k8s.api.rbac.v1.RoleBinding",
)
CLUSTERROLES = ResourceType(
    group="rbac.authorization.k8s.io", version="v1", plural="clusterroles", singular="clusterrole",
    kind="ClusterRole", namespaced=False, schema="io.k8s.api.rbac.v1.ClusterRole",
)
CLUSTERROLEBINDINGS = ResourceType(
    group="rbac.authorization.k8s.io", version="v1", plural="clusterrolebindings", singular="clusterrolebinding",
    kind="ClusterRoleBinding", namespaced=False, schema="io.k8s.api.rbac.v1.ClusterRoleBinding",
)

BUILTIN_TYPES: tuple[ResourceType, ...] = (
    NAMESPACES, CONFIGMAPS, SECRETS, SERVICEACCOUNTS, EVENTS, RESOURCEQUOTAS, LIMITRANGES, EVENTS_V1, LEASES,
    CUSTOMRESOURCEDEFINITIONS, CLUSTERROLEBINDINGS, CLUSTERROLES, ROLEBINDINGS, ROLES,
)
