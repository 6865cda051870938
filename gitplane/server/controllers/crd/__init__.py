"""The CRD controller: accepts a CustomResourceDefinition's names and establishes it; deletes its objects when
it is deleted.

Steps, in calling order:

1. :mod:`.reconcile_names`  the names the CRD asked for, unless another CRD of its group in the same logical
   cluster holds one of them (condition ``NamesAccepted``, reasons ``PluralConflict``, ``KindConflict``...);
   once accepted, the CRD is ``Established`` and the catalogs (:mod:`gitplane.server.customresources`) serve
   it. One status write per change.
2. :mod:`.reconcile_cleanup` a CRD being deleted: every object of it deleted, then its cleanup finalizer
   removed.
"""
