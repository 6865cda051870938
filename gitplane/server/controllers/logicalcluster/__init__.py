"""The logical-cluster controller: carries each LogicalCluster through its phases, and deletes a deleted
cluster's content.

Steps, in calling order:

1. :mod:`.reconcile_deletion`  a deleted LogicalCluster: its child workspaces are deleted through the API
   (each takes its own subtree), then every other object of the cluster is removed from the store, and the
   ``core.kcp.io/logicalcluster`` finalizer with it; the phase is ``Deleting`` meanwhile;
2. :mod:`.reconcile_owner`     the ``workspace-admin`` ClusterRoleBinding: the owner (the Workspace's creator)
   is ``cluster-admin`` of the new workspace;
3. :mod:`.reconcile_universal` the ``root:universal`` initializer: the ``default`` and ``kube-system``
   namespaces, then the initializer removes itself from ``status.initializers``;
4. :mod:`.reconcile_phase`     ``Initializing`` becomes ``Ready`` once no initializer is left.
"""
