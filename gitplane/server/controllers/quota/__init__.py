"""The resource quota controller: keeps each ResourceQuota's status true, ``status.hard`` a copy of
``spec.hard`` and ``status.used`` the real object counts of its namespace.

It recounts a quota when the quota changes, when an object of a type the quota counts is created or deleted,
and on a periodic full resync. Admission (``gitplane.server.admission.resource_quota``) charges quotas between
recounts; both take the namespace's turn, and a recount includes the creates admission has charged that the
store has not shown yet, so a recount never gives away quota that is already promised.

Steps, in calling order:

1. :mod:`.reconcile_usage`  count what the quota limits (stored objects, plus charged creates not yet stored);
2. :mod:`.reconcile_status` write ``status.hard`` and ``status.used`` through ``/status`` when they changed.
"""
