"""The namespace lifecycle controller: empties a terminating namespace, then lets it go.

Steps, in calling order:

1. :mod:`.reconcile_content`  delete every namespaced object in the namespace (objects held by finalizers are
   marked and waited for), reporting what remains in the namespace's conditions;
2. :mod:`.reconcile_finalize` once empty, remove the ``kubernetes`` finalizer through ``/finalize`` and delete
   the namespace for good.
"""
