"""Assembling the API server from a store: the pipeline, the handlers, admission and system controllers.

One function builds everything the server runs, so the service and the tests run the same assembly:

    store → catalog, strategies, admission chain → ASGI app (pipeline + routes) → in-process API client
          → system controllers (named coroutines the caller runs: namespace lifecycle, resource quota,
            the admission policy index)

and the server's metrics (:class:`~gitplane.server.metrics.ServerMetrics`, one registry per assembly): the app
records requests into it, the in-flight limit and the store are read from it at scrape time, and the caller
hands it to the HTTP layer for connection events.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any, cast

from gitplane.api.builtin_schemas import builtin_definitions
from gitplane.api.builtin_types import BUILTIN_TYPES
from gitplane.api.protobuf import catalog as protobuf_catalog
from gitplane.server import admission
from gitplane.server.admission.logicalclusters import LogicalClusterAdmission
from gitplane.server.admission.namespace_lifecycle import NamespaceLifecycle
from gitplane.server.admission.owner_references import OwnerReferencesPermissionEnforcement
from gitplane.server.admission.policy_index import PolicyIndex as AdmissionPolicyIndex
from gitplane.server.admission.resource_quota import ResourceQuotaAdmission
from gitplane.server.admission.validating_policy import ValidatingAdmissionPolicyPlugin
from gitplane.server.admission.workspaces import WorkspaceAdmission
from gitplane.server.app import App
from gitplane.server.catalog import Catalog
from gitplane.server.controllers.crd.controller import CRDController
from gitplane.server.controllers.gc.controller import GarbageCollector
from gitplane.server.controllers.logicalcluster.controller import LogicalClusterController
from gitplane.server.controllers.namespace.controller import NamespaceController
from gitplane.server.controllers.namespace_defaults.controller import NamespaceDefaultsController
from gitplane.server.controllers.quota.controller import QuotaController
from gitplane.server.controllers.workspace.controller import WorkspaceController
from gitplane.server.customresources.catalogs import CustomResourceCatalogs
from gitplane.server.health import Check, Health
from gitplane.server.inprocess import InProcessClient
from gitplane.server.metrics import ServerMetrics
from gitplane.server.metrics_store import StoreCollector
from gitplane.server.nonresource import NonResourceRoutes
from gitplane.server.rbac.aggregation import AggregationController
from gitplane.server.rbac.authorizer import RBACAuthorizer
from gitplane.server.rbac.index import PolicyIndex
from gitplane.server.rbac.policy import BootstrapPolicy
from gitplane.server.registry import strategies
from gitplane.server.request import UserInfo
from gitplane.server.rest.router import ResourceRouter
from gitplane.server.reviews.routes import ReviewRoutes
from gitplane.server.serviceaccounts.signing import Signer, ephemeral_signer
from gitplane.server.serviceaccounts.tokens import ServiceAccountAuthenticator
from gitplane.server.stages.authn import Authenticator
from gitplane.server.stages.authz import Authorization, SystemMasters
from gitplane.server.stages.cluster import ClusterResolver
from gitplane.server.stages.impersonation import Impersonation
from gitplane.server.stages.inflight import InflightLimit
from gitplane.server.stages.info import parse_request_info
from gitplane.server.stages.workspace_access import WorkspaceAccess
from gitplane.server.systemcrds.served import system_types
from gitplane.server.tenancy.home import HomeWorkspaces
from gitplane.server.tenancy.index import LogicalClusterIndex
from gitplane.server.tenancy.workspacetypes import Resolver, WorkspaceTypeCache
from gitplane.storage.interface import Store

SYSTEM_USER = "system:gitplane"
SYSTEM_GROUPS = ("system:masters",)
INFORMERS = frozenset({"rbac-index", "logical-cluster-index", "custom-resource-catalogs",
                       "validating-admission-policy-index", "workspace-type-cache"})
WORKSPACE_WORKERS = 8
"""Workers of the controllers every new workspace goes through: each waits on its writes' commits, so several
keep the store's group commit busy (tasks on the event loop, not one per workspace)."""
BUILTIN_CATALOG = Catalog([*BUILTIN_TYPES, *system_types().types],
                          ChainMap(dict(system_types().definitions), cast(dict[str, Any], builtin_definitions())))
"""What every logical cluster serves: kube's built-in types and kcp's system types."""


@dataclass(frozen=True)
class Assembly:
    """The assembled server: its ASGI app, a system client of it, the controllers to run beside it, and its
    metrics."""

    app: App
    api: InProcessClient
    controllers: tuple[tuple[str, Callable[[], Coroutine[object, object, None]]], ...]
    """``(name, run)`` pairs; each ``run()`` works until cancelled."""
    metrics: ServerMetrics
    informers_synced: Check
    """None once the in-memory views that requests rely on (RBAC policy, custom resource catalogs, admission
    policies) have listed the store, else which have not: the server is not ready before (kube's
    ``informer-sync`` check)."""
    informers: frozenset[str] = INFORMERS
    """The names of the controllers that are those views: started first, so that readiness does not wait for
    the other controllers' first lists (the garbage collector's lists every object)."""


def assemble(store: Store, *, tokens: Mapping[str, UserInfo], health: Health, server_address: str,
             bookmark_seconds: float = 30.0, quota_resync_seconds: float = 300.0,
             max_requests_inflight: int = 400, max_mutating_requests_inflight: int = 200,
             metrics: ServerMetrics | None = None, signer: Signer | None = None,
             ca_bundle: str | None = None, external_url: str | None = None) -> Assembly:
    """``metrics``: where the server reports (default: a new :class:`ServerMetrics` of its own); ``signer``:
    the ServiceAccount token signer (default: one with a key made for this process, see
    :func:`~gitplane.server.serviceaccounts.signing.ephemeral_signer`); ``ca_bundle``: the CA every namespace's
    ``kube-root-ca.crt`` ConfigMap holds (None: no such ConfigMap); ``external_url``: the server's URL as
    clients reach it, the base of every Workspace's ``spec.URL`` (default: ``https://<server_address>``)."""
    protobuf_catalog.load()
    if signer is None:
        signer = ephemeral_signer()
    catalogs = CustomResourceCatalogs(BUILTIN_CATALOG, strategies.for_type)
    catalog_for = catalogs.catalog_for
    if metrics is None:
        metrics = ServerMetrics(BUILTIN_CATALOG)
    metrics.requests.label_custom_types(catalogs.served_type)
    inflight = InflightLimit(max_requests_inflight, max_mutating_requests_inflight,
                             on_reject=metrics.inflight_rejected)
    metrics.watch_inflight(inflight)
    metrics.add(StoreCollector(store))
    quota_admission = ResourceQuotaAdmission()
    admission_policies = AdmissionPolicyIndex()
    clusters = LogicalClusterIndex()
    workspace_types = WorkspaceTypeCache()
    types = Resolver(store, clusters, workspace_types)
    url = external_url or f"https://{server_address}"
    workspaces = WorkspaceAdmission(clusters, url, workspace_types)
    logical_clusters = LogicalClusterAdmission()
    chain = admission.Chain([NamespaceLifecycle(), OwnerReferencesPermissionEnforcement(catalog_for), workspaces,
                             logical_clusters,
                             ValidatingAdmissionPolicyPlugin(admission_policies, catalog_for), quota_admission],
                            mutating=[workspaces, logical_clusters])
    router = ResourceRouter(store=store, catalog_for=catalog_for, strategy_for=catalogs.strategy_for,
                            chain=chain,
                            bookmark_seconds=bookmark_seconds, signer=signer)
    authenticator = Authenticator(tokens, ServiceAccountAuthenticator(signer, store))
    authorization = Authorization([SystemMasters(), rbac := RBACAuthorizer(PolicyIndex())])
    home = HomeWorkspaces(
        ReviewRoutes(router, authorization=authorization, rules_for=rbac, authenticator=authenticator),
        store=store, types=types, external_url=url)
    app = App(
        stages=[parse_request_info, authenticator, inflight, ClusterResolver(clusters),
                Impersonation(authorization), WorkspaceAccess(clusters, authorization), authorization],
        resources=home,
        non_resources=NonResourceRoutes(catalog_for=catalog_for, health=health,
                                        server_address=server_address, metrics=metrics, signer=signer),
        recorder=metrics.requests,
    )
    api = InProcessClient(app, user=SYSTEM_USER, groups=SYSTEM_GROUPS, user_agent="gitplane-server")
    home.bind(api)
    namespaces = NamespaceController(store=store, api=api, catalog_for=catalog_for)
    quotas = QuotaController(store=store, api=api, catalog_for=catalog_for, charges=quota_admission.charges,
                             resync_seconds=quota_resync_seconds)

    crds = CRDController(store=store, api=api)

    async def follow_quotas() -> None:
        await quota_admission.follow_quotas(store)

    async def follow_crds() -> None:
        await catalogs.follow(store)

    async def follow_rbac() -> None:
        await rbac.index.follow(store)

    async def follow_admission_policies() -> None:
        await admission_policies.follow(store)

    async def follow_logical_clusters() -> None:
        await clusters.follow(store)

    def informers_synced() -> str | None:
        waiting = [name for name, synced in (("rbac-index", rbac.index.synced),
                                            ("logical-cluster-index", clusters.synced),
                                            ("custom-resource-catalogs", catalogs.synced),
                                            ("validating-admission-policy-index", admission_policies.synced))
                   if not synced]
        return f"waiting for {', '.join(waiting)}" if waiting else None

    health.ready["informer-sync"] = informers_synced

    return Assembly(app, api, (
        ("rbac-index", follow_rbac),
        ("logical-cluster-index", follow_logical_clusters),
        ("clusterrole-aggregation", AggregationController(index=rbac.index, api=api).run),
        ("rbac-bootstrap-policy", BootstrapPolicy(api).run),
        ("custom-resource-catalogs", follow_crds),
        ("crd", crds.run),
        ("garbage-collector", GarbageCollector(store=store, api=api, catalog_for=catalog_for,
                                               served_types=catalogs.served_types,
                                               types_changed=catalogs.changed).run),
        ("namespace-defaults", NamespaceDefaultsController(store=store, api=api, ca_bundle=ca_bundle,
                                                           workers=WORKSPACE_WORKERS).run),
        ("namespace-lifecycle", namespaces.run),
        ("workspace-type-cache", lambda: workspace_types.follow(store)),
        ("workspace", WorkspaceController(store=store, api=api, index=clusters, workers=WORKSPACE_WORKERS,
                                          external_url=url, types=types).run),
        ("logicalcluster", LogicalClusterController(store=store, api=api, catalog_for=catalog_for,
                                                    workers=WORKSPACE_WORKERS).run),
        ("resource-quota", quotas.run),
        ("resource-quota-admission", follow_quotas),
        ("validating-admission-policy-index", follow_admission_policies),
    ), metrics, informers_synced)
