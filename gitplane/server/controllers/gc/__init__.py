"""The garbage collector: dependents go with their owners (``ownerReferences``), as kube's collector has it.

Steps, for each object the collector looks at (:mod:`.reconcile`): an owner in ``foregroundDeletion`` waits for
its blocking dependents, then lets go; an owner with the ``orphan`` finalizer is taken out of its dependents,
then lets go; a dependent without a live owner is deleted, one with live and gone owners forgets the gone ones.
What owns what is kept in :mod:`.graph`, fed by :mod:`.controller`'s watches.
"""
