"""RBAC (``rbac.authorization.k8s.io/v1``) enforced on every request, per logical cluster.

    rules.py        kube's rule matching (``RuleAllows``) and covering (``Covers``), compact rendering
    bootstrap.py    the bootstrap policy kube ships (cluster-admin, admin/edit/view, system:discovery, ...)
    index.py        every cluster's Roles, ClusterRoles and bindings in memory, fed by one list+watch per
                    RBAC type across all clusters; the rules that apply to a user (``VisitRulesFor``)
    authorizer.py   the chain's RBAC authorizer, decisions cached per (user, groups, cluster, policy revision)
    escalation.py   escalation prevention on role and binding writes (called from the RBAC strategies)
    aggregation.py  the clusterrole-aggregation controller
    policy.py       writes (and reconciles) the bootstrap policy into the served logical clusters at start

The assembly puts :class:`~gitplane.server.rbac.authorizer.RBACAuthorizer` after ``system:masters`` in the
authorization chain and runs the index, the aggregation controller and the bootstrap policy as controllers.
"""
