"""CEL validation rules of CRD schemas (``x-kubernetes-validations``), on Google's C++ CEL runtime.

Compile at CRD registration, evaluate per write:

    compiled = compile_schema(crd_version_schema)         # cached by identity and content
    if compiled.errors: 422 for the CRD, with compiled.errors
    ...
    field_errors = compiled.validate(obj, old_obj)        # old_obj None on create
    if field_errors: 422 for the object, with field_errors

Modules, in the order data flows: ``lexer`` (what the runtime's hidden syntax tree would tell), ``library`` and
``kube_types`` (Kubernetes' functions), ``environment`` (the one CEL environment), ``field_check`` and
``field_path`` (schema-aware checks), ``rules`` (one entry compiled), ``values`` (how JSON is shown to CEL),
``schema_rules`` (the tree and the cache), ``cost`` (the runtime cost estimate), ``evaluate`` (the walk and
kube's errors). The choice of runtime, with figures: docs/decisions/0007-cel-library.md.
"""

from __future__ import annotations

from gitplane.api.cel.cost import PER_CALL_LIMIT, RUNTIME_BUDGET
from gitplane.api.cel.schema_rules import CompiledSchemaRules, compile_count, compile_schema

__all__ = ["PER_CALL_LIMIT", "RUNTIME_BUDGET", "CompiledSchemaRules", "compile_count", "compile_schema"]
