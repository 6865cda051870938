"""The assembled server with the RBAC and admission policy indexes running, test users by bearer token, and
policy/binding builders. Writes of policies and bindings wait until the policy index has seen them (it follows
the store asynchronously, as kube's informers do)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from gitplane.server.admission.policy_index import PolicyIndex
from gitplane.server.admission.validating_policy import ValidatingAdmissionPolicyPlugin
from gitplane.server.rest.router import ResourceRouter
from tests.unit.server.asgi_client import WAIT_SECONDS, AsgiClient
from tests.unit.server.rbac.server import CONTROLLERS
from tests.unit.server.rbac.server import Server as RBACServer
from tests.unit.server.rbac.server import running as rbac_running

ADMISSION = "/apis/admissionregistration.k8s.io/v1"
POLICIES = f"{ADMISSION}/validatingadmissionpolicies"
BINDINGS = f"{ADMISSION}/validatingadmissionpolicybindings"


@dataclass
class Server:
    rbac: RBACServer
    policies: PolicyIndex

    @property
    def admin(self) -> AsgiClient:
        return self.rbac.admin

    def client(self, user: str | None) -> AsgiClient:
        return self.rbac.client(user)

    async def enforce(self, path: str, obj: dict[str, Any]) -> dict[str, Any]:
        """Create a policy or binding as admin and wait until the index has seen it."""
        created = await self.admin.create(path, obj)
        async with asyncio.timeout(WAIT_SECONDS):
            await self.policies.wait_for(int(created["metadata"]["resourceVersion"]))
        return created


def _policy_index(rbac: RBACServer) -> PolicyIndex:
    router: Any = rbac.assembly.app  # the assembly does not hand its router out; tests look inside its wrappers
    while not isinstance(router, ResourceRouter):
        router = router._resources
    for plugin in router.chain._validating:
        if isinstance(plugin, ValidatingAdmissionPolicyPlugin):
            return plugin.index
    raise AssertionError("no ValidatingAdmissionPolicy plugin in the chain")


@contextlib.asynccontextmanager
async def running() -> AsyncIterator[Server]:
    async with rbac_running((*CONTROLLERS, "validating-admission-policy-index")) as rbac:
        yield Server(rbac, _policy_index(rbac))


def policy(name: str, validations: list[dict[str, Any]], *, resources: tuple[str, ...] = ("configmaps",),
           **spec: Any) -> dict[str, Any]:
    rules = [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"],
              "resources": list(resources)}]
    return {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy",
            "metadata": {"name": name},
            "spec": {"matchConstraints": {"resourceRules": rules}, "validations": validations, **spec}}


def binding(name: str, policy_name: str, actions: tuple[str, ...] = ("Deny",), **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicyBinding",
            "metadata": {"name": name},
            "spec": {"policyName": policy_name, "validationActions": list(actions), **spec}}


def configmap(name: str, data: dict[str, str] | None = None, **meta: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, **meta}, "data": data or {}}
