"""Which strategy each resource type uses."""

from __future__ import annotations

from functools import cache

from gitplane.api import builtin_types
from gitplane.api.resources import ResourceType
from gitplane.server.registry import admissionpolicy, builtin, rbac
from gitplane.server.registry.crd import CustomResourceDefinitionStrategy
from gitplane.server.registry.custom import CustomResourceStrategy
from gitplane.server.registry.strategy import Strategy
from gitplane.server.systemcrds.served import system_types

_BY_TYPE: dict[ResourceType, type[Strategy]] = {
    builtin_types.NAMESPACES: builtin.NamespaceStrategy,
    builtin_types.SECRETS: builtin.SecretStrategy,
    builtin_types.LIMITRANGES: builtin.LimitRangeStrategy,
    builtin_types.RESOURCEQUOTAS: builtin.ResourceQuotaStrategy,
    builtin_types.EVENTS: builtin.EventStrategy,
    builtin_types.EVENTS_V1: builtin.EventsV1Strategy,
    builtin_types.CUSTOMRESOURCEDEFINITIONS: CustomResourceDefinitionStrategy,
    builtin_types.ROLES: rbac.RoleStrategy,
    builtin_types.CLUSTERROLES: rbac.ClusterRoleStrategy,
    builtin_types.ROLEBINDINGS: rbac.RoleBindingStrategy,
    builtin_types.CLUSTERROLEBINDINGS: rbac.ClusterRoleBindingStrategy,
    builtin_types.VALIDATINGADMISSIONPOLICIES: admissionpolicy.ValidatingAdmissionPolicyStrategy,
    builtin_types.VALIDATINGADMISSIONPOLICYBINDINGS: admissionpolicy.ValidatingAdmissionPolicyBindingStrategy,
}


@cache
def for_type(resource_type: ResourceType) -> Strategy:
    """The strategy of a built-in type, or of a system type (kcp's, served from its CRD like a custom type)."""
    served = system_types().served(resource_type)
    if served is not None:
        return CustomResourceStrategy(served, defaults_on_read=False)
    return _BY_TYPE.get(resource_type, Strategy)(resource_type)
