"""The workspace controller: gives each Workspace its logical cluster and mirrors that cluster's phase.

Steps, in calling order:

1. :mod:`.reconcile_scheduling`  a Workspace without ``spec.cluster``: choose a logical cluster name (recorded
   in ``internal.tenancy.kcp.io/cluster`` first, so a retry keeps it), create the LogicalCluster inside it with
   the owner, path, type and the type's initializers, then set ``spec.cluster`` and ``spec.URL``;
2. :mod:`.reconcile_phase`       mirror the LogicalCluster's phase and initializers into the Workspace's status,
   with kcp's conditions and the ``tenancy.kcp.io/phase`` label;
3. :mod:`.reconcile_deletion`    a deleted Workspace: delete its LogicalCluster (which deletes the cluster's
   content, child workspaces first), show the phase, and let the Workspace go once the cluster is gone.
"""
