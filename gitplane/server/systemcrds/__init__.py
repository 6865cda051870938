"""kcp's own API types, as package data: the system CRDs and the built-in WorkspaceTypes.

Every logical cluster serves kcp's Workspace, WorkspaceType and LogicalCluster types as *system CRDs*, from the
CustomResourceDefinition manifests of this folder (``tenancy.kcp.io_workspaces.yaml``,
``tenancy.kcp.io_workspacetypes.yaml``, ``core.kcp.io_logicalclusters.yaml``). The root logical cluster is
bootstrapped with the built-in WorkspaceTypes (``workspacetypes.yaml``: root, universal, organization and team, as
with kcp's ``workspace-types`` battery on) and with the ClusterRole and ClusterRoleBinding that let every
authenticated user use them (``workspacetype-use.yaml``).

The facts (schemas, names, printer columns, the WorkspaceType objects, the RBAC rules) are kcp's, read from
kcp-dev/kcp @ dac74f5: its CRDs in ``config/crds`` with the ``*.yaml-patch`` files beside them applied, and
``config/root``. The descriptions are gitplane's own.
"""
