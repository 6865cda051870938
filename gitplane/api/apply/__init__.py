"""Server-side apply and managed fields, as kube-apiserver implements them with structured-merge-diff.

Modules, from the bottom up:

- :mod:`.fieldpath` — path elements (``f:``, ``k:``, ``v:``, ``i:``) and immutable field sets;
- :mod:`.fieldsv1` — the ``FieldsV1`` encoding of field sets in ``metadata.managedFields``;
- :mod:`.schematype` — a type's shape for apply (maps, lists and their keys), compiled from its schema;
- :mod:`.typed` — the fields an applied configuration sets, and what changed between two objects;
- :mod:`.merge` — merging a configuration into a live object, and pruning fields an applier dropped;
- :mod:`.managedfields` — decoding, encoding and capping managed fields entries;
- :mod:`.conflicts` — the 409 Conflict error of an apply;
- :mod:`.lastapplied` — kubectl's move from client-side to server-side apply;
- :mod:`.manager` — the entry points: ``apply`` for apply patches, ``update`` for every other write.
"""
