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

VALIDATINGADMISSIONPOLICIES = ResourceType(
    group="admissionregistration.k8s.io", version="v1", plural="validatingadmissionpolicies",
    singular="validatingadmissionpolicy", kind="ValidatingAdmissionPolicy", namespaced=False,
    schema="io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicy", categories=("api-extensions",),
    subresources=("status",),
)
VALIDATINGADMISSIONPOLICYBINDINGS = ResourceType(
    group="admissionregistration.k8s.io", version="v1", plural="validatingadmissionpolicybindings",
    singular="validatingadmissionpolicybinding", kind="ValidatingAdmissionPolicyBinding", namespaced=False,
    schema="io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicyBinding", categories=("api-extensions",),
)

_CREATE_ONLY = ("create",)
"""The reviews: answered at once and never stored (kube serves them with verb create only)."""
SELFSUBJECTREVIEWS = ResourceType(
    group="authentication.k8s.io", version="v1", plural="selfsubjectreviews", singular="selfsubjectreview",
    kind="SelfSubjectReview", namespaced=False, schema="io.k8s.api.authentication.v1.SelfSubjectReview",
    verbs=_CREATE_ONLY,
)
TOKENREVIEWS = ResourceType(
    group="authentication.k8s.io", version="v1", plural="tokenreviews", singular="tokenreview", kind="TokenReview",
    namespaced=False, schema="io.k8s.api.authentication.v1.TokenReview", verbs=_CREATE_ONLY,
)
SELFSUBJECTREVIEWS_V1BETA1 = ResourceType(
    group="authentication.k8s.io", version="v1beta1", plural="selfsubjectreviews", singular="selfsubjectreview",
    kind="SelfSubjectReview", namespaced=False, schema="io.k8s.api.authentication.v1beta1.SelfSubjectReview",
    verbs=_CREATE_ONLY,
)
LOCALSUBJECTACCESSREVIEWS = ResourceType(
    group="authorization.k8s.io", version="v1", plural="localsubjectaccessreviews",
    singular="localsubjectaccessreview", kind="LocalSubjectAccessReview", namespaced=True,
    schema="io.k8s.api.authorization.v1.LocalSubjectAccessReview", verbs=_CREATE_ONLY,
)
SELFSUBJECTACCESSREVIEWS = ResourceType(
    group="authorization.k8s.io", version="v1", plural="selfsubjectaccessreviews",
    singular="selfsubjectaccessreview", kind="SelfSubjectAccessReview", namespaced=False,
    schema="io.k8s.api.authorization.v1.SelfSubjectAccessReview", verbs=_CREATE_ONLY,
)
SELFSUBJECTRULESREVIEWS = ResourceType(
    group="authorization.k8s.io", version="v1", plural="selfsubjectrulesreviews", singular="selfsubjectrulesreview",
    kind="SelfSubjectRulesReview", namespaced=False, schema="io.k8s.api.authorization.v1.SelfSubjectRulesReview",
    verbs=_CREATE_ONLY,
)
SUBJECTACCESSREVIEWS = ResourceType(
    group="authorization.k8s.io", version="v1", plural="subjectaccessreviews", singular="subjectaccessreview",
    kind="SubjectAccessReview", namespaced=False, schema="io.k8s.api.authorization.v1.SubjectAccessReview",
    verbs=_CREATE_ONLY,
)
REVIEWS: tuple[ResourceType, ...] = (
    SELFSUBJECTREVIEWS, TOKENREVIEWS, SELFSUBJECTREVIEWS_V1BETA1, LOCALSUBJECTACCESSREVIEWS,
    SELFSUBJECTACCESSREVIEWS, SELFSUBJECTRULESREVIEWS, SUBJECTACCESSREVIEWS,
)

BUILTIN_TYPES: tuple[ResourceType, ...] = (
    NAMESPACES, CONFIGMAPS, SECRETS, SERVICEACCOUNTS, EVENTS, RESOURCEQUOTAS, LIMITRANGES, EVENTS_V1, LEASES,
    CUSTOMRESOURCEDEFINITIONS, CLUSTERROLEBINDINGS, CLUSTERROLES, ROLEBINDINGS, ROLES,
    VALIDATINGADMISSIONPOLICIES, VALIDATINGADMISSIONPOLICYBINDINGS,
    *REVIEWS,
)
